package io.customerstudio.app.subsets;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Subset categories (governance spec 4): validated on save (the parent is a parent model, subset
 * keys are unique, each condition compiles against the parent), refused on delete or on a change
 * that would strand a user, sync or destination that requires them, and recorded in the audit log.
 * Also checks the selections ({@code {"region": ["eu"]}}) users, syncs and destinations carry.
 */
@Service
public class SubsetService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  public record SubsetView(String key, String name, JsonNode condition) {}

  public record CategoryView(
      String key,
      String name,
      String parent,
      List<SubsetView> subsets,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  /** A category as a request gives it; the key is ignored on an update. */
  public record CategoryCommand(String key, String name, String parent, List<SubsetView> subsets) {}

  private final SubsetCategoryStore store;
  private final Workspace workspace;
  private final AuditTrail audit;
  private final Clock clock;

  public SubsetService(
      SubsetCategoryStore store, Workspace workspace, AuditTrail audit, Clock clock) {
    this.store = store;
    this.workspace = workspace;
    this.audit = audit;
    this.clock = clock;
  }

  public List<CategoryView> list() {
    return store.list().stream().map(SubsetService::view).toList();
  }

  public CategoryView get(String key) {
    return view(find(key));
  }

  public CategoryView create(CategoryCommand c, String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    String key = c == null ? null : c.key();
    if (key == null || !KEY.matcher(key).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
    } else if (store.find(key).isPresent()) {
      throw ApiException.conflict("A subset category '" + key + "' already exists");
    }
    SubsetCategoryStore.Draft draft = draft(c, errors);
    if (!store.create(key, draft, user)) {
      throw ApiException.conflict("A subset category '" + key + "' already exists");
    }
    CategoryView after = get(key);
    audit.record(
        user, AuditTrail.Entity.SUBSET_CATEGORY, key, AuditTrail.Action.CREATE, null, after);
    return after;
  }

  /**
   * Replaces name, parent and subsets. Refused (409) when a subset that a user, sync or destination
   * requires would go, or when the parent would change under them.
   */
  public CategoryView update(String key, CategoryCommand c, String user) {
    SubsetCategoryStore.Category current = find(key);
    SubsetCategoryStore.Draft draft = draft(c, new ArrayList<>());
    if (!draft.parent().equals(current.parent())) {
      List<SubsetCategoryStore.Use> uses = store.uses(key, null);
      if (!uses.isEmpty()) {
        throw ApiException.conflict(
            "Subset category '"
                + key
                + "' is required by "
                + describe(uses)
                + "; its parent cannot change while they use it");
      }
    }
    Set<String> kept = new HashSet<>();
    draft.subsets().forEach(s -> kept.add(s.key()));
    for (SubsetCategoryStore.Subset s : current.subsets()) {
      if (!kept.contains(s.key())) {
        List<SubsetCategoryStore.Use> uses = store.uses(key, s.key());
        if (!uses.isEmpty()) {
          throw ApiException.conflict(
              "Subset '"
                  + s.key()
                  + "' of '"
                  + key
                  + "' is required by "
                  + describe(uses)
                  + "; remove it from them first");
        }
      }
    }
    CategoryView before = view(current);
    store.update(key, draft, user);
    CategoryView after = get(key);
    audit.record(
        user, AuditTrail.Entity.SUBSET_CATEGORY, key, AuditTrail.Action.UPDATE, before, after);
    return after;
  }

  /** Refused (409) while a user, sync or destination requires the category, naming them. */
  public void delete(String key, String user) {
    SubsetCategoryStore.Category current = find(key);
    List<SubsetCategoryStore.Use> uses = store.uses(key, null);
    if (!uses.isEmpty()) {
      throw ApiException.conflict(
          "Subset category '"
              + key
              + "' is required by "
              + describe(uses)
              + "; remove it from them first");
    }
    store.delete(key);
    audit.record(
        user,
        AuditTrail.Entity.SUBSET_CATEGORY,
        key,
        AuditTrail.Action.DELETE,
        view(current),
        null);
  }

  /** The parent models a category may restrict. */
  public List<String> parents() {
    return workspace.catalog().document().models(SchemaDocument.Kind.PARENT).stream()
        .map(SchemaDocument.Model::name)
        .toList();
  }

  /**
   * Checks a selection ({@code {"region": ["eu"]}}) at {@code path}: every category and subset
   * exists, each category has at least one subset chosen, and, when {@code parent} is given, each
   * category restricts that parent. Returns it normalized: null for null or {} (no restriction).
   */
  public Map<String, List<String>> checkSelection(
      Map<String, List<String>> selection,
      String path,
      String parent,
      List<ApiException.FieldError> errors) {
    if (selection == null || selection.isEmpty()) {
      return null;
    }
    Map<String, SubsetCategoryStore.Category> known = new LinkedHashMap<>();
    store.list().forEach(c -> known.put(c.key(), c));
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : selection.entrySet()) {
      String at = path + "." + e.getKey();
      SubsetCategoryStore.Category c = known.get(e.getKey());
      if (c == null) {
        errors.add(
            new ApiException.FieldError(
                at, Problems.unknown("subset category", e.getKey(), null, known.keySet())));
        continue;
      }
      if (parent != null && !parent.equals(c.parent())) {
        errors.add(
            new ApiException.FieldError(
                at,
                "category \""
                    + c.key()
                    + "\" restricts \""
                    + c.parent()
                    + "\"; this audience selects \""
                    + parent
                    + "\""));
        continue;
      }
      List<String> chosen = e.getValue();
      if (chosen == null || chosen.isEmpty()) {
        errors.add(new ApiException.FieldError(at, "choose at least one subset"));
        continue;
      }
      List<String> subsetKeys = c.subsets().stream().map(SubsetCategoryStore.Subset::key).toList();
      List<String> kept = new ArrayList<>();
      for (int i = 0; i < chosen.size(); i++) {
        String s = chosen.get(i);
        if (s == null || !subsetKeys.contains(s)) {
          errors.add(
              new ApiException.FieldError(
                  at + "[" + i + "]",
                  Problems.unknown(
                      "subset", String.valueOf(s), "category \"" + c.key() + "\"", subsetKeys)));
        } else if (!kept.contains(s)) {
          kept.add(s);
        }
      }
      out.put(e.getKey(), List.copyOf(kept));
    }
    return out;
  }

  private SubsetCategoryStore.Draft draft(CategoryCommand c, List<ApiException.FieldError> errors) {
    if (c == null) {
      errors.add(new ApiException.FieldError("$", "give the category as a JSON object"));
      throw ApiException.invalid(errors);
    }
    if (c.name() == null || c.name().isBlank() || c.name().length() > 200) {
      errors.add(new ApiException.FieldError("$.name", "give a name of 1 to 200 characters"));
    }
    Catalog catalog = workspace.catalog();
    String parent = c.parent();
    boolean parentOk = false;
    if (parent == null || parent.isBlank()) {
      errors.add(new ApiException.FieldError("$.parent", "give a parent model: " + parents()));
    } else {
      Optional<Catalog.ModelInfo> model = catalog.model(parent);
      if (model.isEmpty() || model.get().def().kind() != SchemaDocument.Kind.PARENT) {
        errors.add(
            new ApiException.FieldError(
                "$.parent", Problems.unknown("parent model", parent, null, parents())));
      } else {
        parentOk = true;
      }
    }
    List<SubsetCategoryStore.Subset> subsets = new ArrayList<>();
    if (c.subsets() == null || c.subsets().isEmpty()) {
      errors.add(new ApiException.FieldError("$.subsets", "give at least one subset"));
    } else {
      Set<String> seen = new HashSet<>();
      AudienceCompiler.Resolver resolver = workspace.resolver();
      for (int i = 0; i < c.subsets().size(); i++) {
        String at = "$.subsets[" + i + "]";
        SubsetView s = c.subsets().get(i);
        if (s == null) {
          errors.add(new ApiException.FieldError(at, "give {\"key\", \"name\", \"condition\"}"));
          continue;
        }
        if (s.key() == null || !KEY.matcher(s.key()).matches()) {
          errors.add(
              new ApiException.FieldError(
                  at + ".key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
        } else if (!seen.add(s.key())) {
          errors.add(
              new ApiException.FieldError(
                  at + ".key", "\"" + s.key() + "\" is used by an earlier subset"));
        }
        if (s.name() == null || s.name().isBlank() || s.name().length() > 200) {
          errors.add(
              new ApiException.FieldError(at + ".name", "give a name of 1 to 200 characters"));
        }
        if (s.condition() == null || s.condition().isNull()) {
          errors.add(new ApiException.FieldError(at + ".condition", "is required"));
          continue;
        }
        Problems problems = new Problems();
        Condition condition =
            AudienceJson.readCondition(s.condition(), at + ".condition", problems);
        if (!problems.isEmpty()) {
          errors.addAll(ApiException.errorsOf(new ValidationException(problems.list())));
        } else if (parentOk) {
          try {
            new AudienceCompiler(catalog, resolver, clock.instant())
                .compile(new AudienceDefinition(parent, condition), "$");
          } catch (ValidationException e) {
            errors.addAll(ApiException.errorsOf(e));
          }
        }
        subsets.add(
            new SubsetCategoryStore.Subset(
                s.key(),
                s.name() == null ? null : s.name().strip(),
                // a tree that did not read has holes: it is refused below, never written
                condition == null || !problems.isEmpty()
                    ? null
                    : AudienceJson.write(condition).toString()));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return new SubsetCategoryStore.Draft(c.name().strip(), parent, subsets);
  }

  private SubsetCategoryStore.Category find(String key) {
    return store
        .find(key)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "Subset category '"
                        + key
                        + "' not found; known: "
                        + store.list().stream().map(SubsetCategoryStore.Category::key).toList()));
  }

  private static String describe(List<SubsetCategoryStore.Use> uses) {
    return String.join(", ", uses.stream().map(Object::toString).toList());
  }

  static CategoryView view(SubsetCategoryStore.Category c) {
    return new CategoryView(
        c.key(),
        c.name(),
        c.parent(),
        c.subsets().stream()
            .map(s -> new SubsetView(s.key(), s.name(), Json.parse(s.conditionJson())))
            .toList(),
        c.createdBy(),
        c.createdAt(),
        c.updatedBy(),
        c.updatedAt());
  }
}
