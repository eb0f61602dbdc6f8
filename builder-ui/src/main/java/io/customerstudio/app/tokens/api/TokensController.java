package io.customerstudio.app.tokens.api;

import io.customerstudio.app.tokens.ApiTokenService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** API tokens (ADMIN only). The secret appears once, in the response that creates it. */
@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "API tokens", description = "Bearer tokens for the API (admin only)")
class TokensController {

  private final ApiTokenService tokens;

  TokensController(ApiTokenService tokens) {
    this.tokens = tokens;
  }

  @GetMapping
  @Operation(summary = "List tokens (never their secrets)")
  List<ApiTokenService.TokenView> list() {
    return tokens.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a token",
      description =
          "username: the user the token acts as (default: you); expiresInDays: optional. The"
              + " response holds the only copy of the token.")
  ApiTokenService.IssuedToken create(
      @RequestBody ApiTokenService.TokenRequest request, Principal me) {
    return tokens.issue(request, me.getName());
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Revoke a token")
  void revoke(@PathVariable long id, Principal me) {
    tokens.revoke(id, me.getName());
  }
}
