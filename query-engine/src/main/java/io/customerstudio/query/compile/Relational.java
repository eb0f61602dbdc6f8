package io.customerstudio.query.compile;

import io.customerstudio.query.audience.Condition;

/**
 * Whether a condition reads related rows (relations, events, traits, audience or template
 * references): such conditions are worth their own key set; plain properties are not.
 */
final class Relational implements Condition.Visitor<Boolean> {

  private static final Relational INSTANCE = new Relational();

  private Relational() {}

  static boolean test(Condition c) {
    return c != null && c.accept(INSTANCE);
  }

  /**
   * The conditions with plain property tests first (stable otherwise). PostgreSQL evaluates the
   * arguments of a nested AND or OR left to right, so a cheap test can spare a subquery.
   */
  static java.util.List<Condition> cheapestFirst(java.util.List<Condition> conditions) {
    java.util.List<Condition> ordered = new java.util.ArrayList<>(conditions);
    ordered.sort(java.util.Comparator.comparingInt(c -> test(c) ? 1 : 0));
    return ordered;
  }

  @Override
  public Boolean and(Condition.And c) {
    return c.conditions().stream().anyMatch(Relational::test);
  }

  @Override
  public Boolean or(Condition.Or c) {
    return c.conditions().stream().anyMatch(Relational::test);
  }

  @Override
  public Boolean not(Condition.Not c) {
    return test(c.condition());
  }

  @Override
  public Boolean property(Condition.Property c) {
    return false;
  }

  @Override
  public Boolean trait(Condition.Trait c) {
    return true;
  }

  @Override
  public Boolean relation(Condition.Relation c) {
    return true;
  }

  @Override
  public Boolean event(Condition.Event c) {
    return true;
  }

  @Override
  public Boolean audience(Condition.AudienceRef c) {
    return true;
  }

  @Override
  public Boolean template(Condition.Template c) {
    return true;
  }
}
