package io.customerstudio.query.compile;

import io.customerstudio.query.Problems;
import io.customerstudio.query.compile.AudienceCompiler.Resolver;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.jooq.impl.DSL;

/**
 * What every part of one compilation shares: the {@link Catalog} (the only source of identifiers),
 * the {@link Resolver} of saved audiences and templates, the instant relative windows are resolved
 * against, the problems found so far (each with its JSON path), the alias counter, and the chains
 * of audiences, templates and traits being expanded, so that a cycle is reported instead of
 * followed. Not thread-safe: one per compilation.
 */
final class CompileContext {

  /**
   * jOOQ's neutral element: it renders as nothing, so an AND or OR folded from it is compared with
   * it by identity to tell "no operand" apart.
   */
  static final org.jooq.Condition NONE = DSL.noCondition();

  private final Catalog catalog;
  private final Resolver resolver;
  private final Instant asOf;
  private final Problems problems = new Problems();
  private int aliases;

  /** Saved audiences being inlined. */
  final Trail audiences = new Trail("audiences");

  /** Templates being expanded. */
  final Trail templates = new Trail("templates");

  /** Traits being computed, as {@code model.trait}. */
  final Trail traits = new Trail("traits");

  CompileContext(Catalog catalog, Resolver resolver, Instant asOf) {
    this.catalog = catalog;
    this.resolver = resolver;
    this.asOf = asOf;
  }

  Catalog catalog() {
    return catalog;
  }

  Resolver resolver() {
    return resolver;
  }

  /** The instant relative windows ("within the last 7 days") are resolved against. */
  Instant asOf() {
    return asOf;
  }

  Problems problems() {
    return problems;
  }

  /** A new alias for a model, unique within this compilation. */
  Scope newScope(ModelInfo model) {
    return new Scope(model, alias("t"));
  }

  /**
   * A new alias for a derived table. Scopes and derived tables count on one counter, so every alias
   * of a statement is unique whatever its prefix.
   */
  String alias(String prefix) {
    return prefix + (aliases++);
  }

  /** A chain of references being expanded; meeting a key that is already on it is a cycle. */
  final class Trail {
    private final String what;
    private final Deque<String> stack = new ArrayDeque<>();

    private Trail(String what) {
      this.what = what;
    }

    /** Reports a cycle through {@code key} at {@code path} and returns true; false if none. */
    boolean cycles(String key, String path) {
      if (!stack.contains(key)) {
        return false;
      }
      List<String> chain = new ArrayList<>(stack);
      Collections.reverse(chain);
      problems.add(path, what + " form a cycle: " + String.join(" -> ", chain) + " -> " + key);
      return true;
    }

    /** {@code body}'s result, computed with {@code key} on the chain. */
    <T> T through(String key, Supplier<T> body) {
      stack.push(key);
      try {
        return body.get();
      } finally {
        stack.pop();
      }
    }
  }
}
