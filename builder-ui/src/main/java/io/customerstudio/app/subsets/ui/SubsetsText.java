package io.customerstudio.app.subsets.ui;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A selection as one line of text: "everything", or "region: de, fr · tier: vip". */
public final class SubsetsText {

  private SubsetsText() {}

  public static String of(Map<String, List<String>> selection) {
    if (selection == null || selection.isEmpty()) {
      return "everything";
    }
    return selection.entrySet().stream()
        .map(e -> e.getKey() + ": " + String.join(", ", e.getValue()))
        .collect(Collectors.joining(" · "));
  }
}
