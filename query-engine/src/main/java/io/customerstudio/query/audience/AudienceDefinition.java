package io.customerstudio.query.audience;

/** Spec section 2: the parent model an audience selects, and its filter (null: every row). */
public record AudienceDefinition(String parent, Condition filter) {}
