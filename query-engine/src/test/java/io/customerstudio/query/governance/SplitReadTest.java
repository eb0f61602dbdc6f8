package io.customerstudio.query.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import org.junit.jupiter.api.Test;

/** Numbers a JSON parser cannot hold as a decimal are refused at their path, never thrown. */
class SplitReadTest {

  @Test
  void anInfinitePercentIsAProblemAtItsPath() {
    ObjectNode json = JsonNodeFactory.instance.objectNode().put("salt", "s");
    json.putArray("groups").addObject().put("name", "a").put("percent", Double.POSITIVE_INFINITY);
    Problems problems = new Problems();
    assertThat(Split.read(json, "$", problems)).isNull();
    assertThat(problems.list()).extracting(p -> p.path()).containsExactly("$.groups[0].percent");
  }
}
