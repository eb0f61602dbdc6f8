package io.customerstudio.query.engine;

import io.customerstudio.query.audience.Condition;

/** Short human descriptions of conditions, for the explain funnel. */
final class Labels {

  private Labels() {}

  static String of(Condition c) {
    return c.accept(
        new Condition.Visitor<>() {
          @Override
          public String and(Condition.And x) {
            return "all of " + x.conditions().size() + " conditions";
          }

          @Override
          public String or(Condition.Or x) {
            return "any of " + x.conditions().size() + " conditions";
          }

          @Override
          public String not(Condition.Not x) {
            return "not (" + (x.condition() == null ? "?" : of(x.condition())) + ")";
          }

          @Override
          public String property(Condition.Property x) {
            return x.column()
                + " "
                + x.op().json().replace('_', ' ')
                + (x.value() == null ? "" : " " + x.value());
          }

          @Override
          public String trait(Condition.Trait x) {
            return x.trait()
                + " "
                + x.op().json().replace('_', ' ')
                + (x.value() == null ? "" : " " + x.value());
          }

          @Override
          public String relation(Condition.Relation x) {
            if (x.aggregate() == null) {
              return "has "
                  + x.relationship()
                  + (x.where() == null ? "" : " where " + of(x.where()));
            }
            return x.aggregate().function().json()
                + "("
                + (x.aggregate().column() == null
                    ? x.relationship()
                    : x.relationship() + "." + x.aggregate().column())
                + ") "
                + x.aggregate().op().json()
                + " "
                + x.aggregate().value();
          }

          @Override
          public String event(Condition.Event x) {
            String what = x.eventType() == null ? x.event() : x.eventType();
            return (x.count() == null
                    ? "did " + what
                    : what + " count " + x.count().op().json() + " " + x.count().value())
                + (x.window() == null ? "" : " in window");
          }

          @Override
          public String audience(Condition.AudienceRef x) {
            return (x.member() ? "in audience " : "not in audience ") + x.audience();
          }

          @Override
          public String template(Condition.Template x) {
            return "template " + x.template();
          }
        });
  }
}
