package io.customerstudio.app.users.api;

import io.customerstudio.app.users.UserService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Who can log in (ADMIN only; enforced by the API filter chain). */
@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "Users", description = "People who log in, and their roles (admin only)")
class UsersController {

  private final UserService users;

  UsersController(UserService users) {
    this.users = users;
  }

  @GetMapping
  @Operation(summary = "List users")
  List<UserService.UserView> list() {
    return users.list();
  }

  @GetMapping("/{username}")
  @Operation(summary = "Get one user")
  UserService.UserView get(@PathVariable String username) {
    return users.get(username);
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a user",
      description =
          "role: ADMIN or MARKETER; password: at least 10 characters; subsets (marketers only):"
              + " {\"region\": [\"eu\"]} restricts every query she runs to those rows")
  UserService.UserView create(@RequestBody UserService.NewUser user, Principal me) {
    return users.create(user, me.getName());
  }

  @PutMapping("/{username}")
  @Operation(
      summary = "Change a user",
      description = "Absent fields stay as they are; \"subsets\": {} lifts a restriction")
  UserService.UserView update(
      @PathVariable String username, @RequestBody UserService.UserChange change, Principal me) {
    return users.update(username, change, me.getName());
  }

  @DeleteMapping("/{username}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a user", description = "Refused for yourself and for the last admin")
  void delete(@PathVariable String username, Principal me) {
    users.delete(username, me.getName());
  }
}
