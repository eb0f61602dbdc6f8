package io.customerstudio.app.schema.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.query.engine.AudienceEngine;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The warehouse schema: read by everyone, replaced by admins (guarded in SecurityConfiguration).
 */
@RestController
@RequestMapping("/api/v1/schema")
@Tag(
    name = "Schema",
    description = "Models, relationships and traits (section 1 and 4 of the spec)")
class SchemaController {

  private final SchemaService schema;

  SchemaController(SchemaService schema) {
    this.schema = schema;
  }

  @GetMapping
  @Operation(summary = "The whole schema document")
  JsonNode get() {
    return schema.current().document();
  }

  @PutMapping
  @Operation(summary = "Validate against the warehouse and replace the schema (admin)")
  JsonNode put(@RequestBody JsonNode document, Principal me) {
    return schema.replace(document, me.getName()).document();
  }

  @GetMapping("/models/{model}/columns")
  @Operation(summary = "A model's introspected columns and their types")
  List<SchemaService.ColumnView> columns(@PathVariable String model) {
    return schema.columns(model);
  }

  @GetMapping("/models/{model}/values")
  @Operation(summary = "The most frequent values of a column, for suggestions")
  List<AudienceEngine.ValueCount> values(
      @PathVariable String model,
      @RequestParam String column,
      @RequestParam(defaultValue = "20") int limit,
      @RequestParam(required = false) String prefix) {
    return schema.values(model, column, prefix, limit);
  }

  @GetMapping("/tables")
  @Operation(summary = "Tables and views of the warehouse (admin pickers)")
  List<String> tables() {
    return schema.tables();
  }

  @GetMapping("/tables/{table}/columns")
  @Operation(summary = "Columns of any warehouse table (schema.table)")
  List<SchemaService.ColumnView> tableColumns(@PathVariable String table) {
    return schema.tableColumns(table);
  }
}
