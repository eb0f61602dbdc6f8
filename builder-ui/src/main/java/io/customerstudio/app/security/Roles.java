package io.customerstudio.app.security;

/** Role names as Spring Security sees them, and as @RolesAllowed names them. */
public final class Roles {

  public static final String ADMIN = "ADMIN";
  public static final String MARKETER = "MARKETER";
  public static final String ROLE_ADMIN = "ROLE_" + ADMIN;
  public static final String ROLE_MARKETER = "ROLE_" + MARKETER;

  private Roles() {}
}
