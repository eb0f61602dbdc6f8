/**
 * The typed refusals services throw instead of HTTP exceptions: {@link
 * io.customerstudio.app.errors.NotFoundException} and {@link
 * io.customerstudio.app.errors.ConflictException}; invalid input is the query engine's {@code
 * ValidationException}. The API maps them to 404 and 409 problem details, views show their
 * messages. This package depends on nothing else in the app, so both the API layer and every
 * feature may use it without a cycle.
 */
package io.customerstudio.app.errors;
