package io.customerstudio.app.events;

import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.EventSourceStore;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Event sources: who may post events through {@code /api/v1/webhooks/events/{source}}. Each has a
 * secret, shown once on create and rotate, sealed at rest (SecretBox), that signs its requests like
 * sync triggers ({@link Signatures}). Every change goes to the audit trail, without the secret.
 */
@Service
public class EventSourceService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  static final int MAX_NAME = 200;

  /** How far a signature's timestamp may be from now. */
  public static final Duration TOLERANCE = Duration.ofSeconds(300);

  public record SourceCommand(String key, String name) {}

  /** A source as the API shows it (never the secret). */
  public record SourceView(String key, String name, String createdBy, OffsetDateTime createdAt) {}

  /** A source with its secret in the clear: the answer of create and rotate, shown that once. */
  public record SourceSecret(String key, String name, String secret, OffsetDateTime createdAt) {}

  /** A webhook request that is not signed by a known source's secret (which of those, unsaid). */
  public static class SignatureRefused extends RuntimeException {
    SignatureRefused() {
      super("missing, invalid or stale " + Signatures.HEADER + " for this event source");
    }
  }

  private final EventSourceStore sources;
  private final SecretBox secrets;
  private final AuditTrail audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public EventSourceService(
      EventSourceStore sources, SecretBox secrets, AuditTrail audit, Clock clock) {
    this.sources = sources;
    this.secrets = secrets;
    this.audit = audit;
    this.clock = clock;
  }

  public List<SourceView> list() {
    return sources.list().stream().map(EventSourceService::view).toList();
  }

  public SourceView get(String key) {
    return view(find(key));
  }

  /**
   * Creates a source with a new secret.
   *
   * @throws ValidationException naming {@code $.key} or {@code $.name}
   * @throws ConflictException when the key is taken
   */
  public SourceSecret create(SourceCommand command, String user) {
    Problems found = new Problems();
    String key = command == null ? null : command.key();
    String name = command == null ? null : command.name();
    if (key == null || !KEY.matcher(key).matches()) {
      found.add(
          "$.key",
          "1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit");
    }
    if (name == null || name.isBlank()) {
      found.add("$.name", "required");
    } else if (name.length() > MAX_NAME || name.indexOf('\0') >= 0) {
      found.add("$.name", "at most " + MAX_NAME + " characters, no NUL");
    }
    found.throwIfAny();
    String secret = newSecret();
    if (!sources.create(key, name.strip(), secrets.seal(secret), user)) {
      throw new ConflictException("An event source '" + key + "' already exists");
    }
    EventSourceStore.Source created = find(key);
    audit.record(
        user, AuditTrail.Entity.EVENT_SOURCE, key, AuditTrail.Action.CREATE, null, view(created));
    return new SourceSecret(key, created.name(), secret, created.createdAt());
  }

  /** A new secret, returned this once; the old one stops working at once. */
  public SourceSecret rotate(String key, String user) {
    EventSourceStore.Source source = find(key);
    String secret = newSecret();
    if (!sources.setSecret(key, secrets.seal(secret))) {
      throw notFound(key);
    }
    audit.record(
        user,
        AuditTrail.Entity.EVENT_SOURCE,
        key,
        AuditTrail.Action.ROTATE,
        view(source),
        view(source));
    return new SourceSecret(key, source.name(), secret, source.createdAt());
  }

  /** Deletes the source; its requests get 401 from now on. Its events stay in the stream. */
  public void delete(String key, String user) {
    SourceView before = view(find(key));
    if (!sources.delete(key)) {
      throw notFound(key);
    }
    audit.record(user, AuditTrail.Entity.EVENT_SOURCE, key, AuditTrail.Action.DELETE, before, null);
  }

  /**
   * Checks a webhook request: {@code signature} must sign {@code body} with the source's secret,
   * within {@link #TOLERANCE} of now.
   *
   * @throws SignatureRefused for an unknown source or a missing, wrong or stale signature, alike
   */
  public void verify(String key, String signature, byte[] body) {
    EventSourceStore.Source source = key == null ? null : sources.find(key).orElse(null);
    if (source == null
        || signature == null
        || !Signatures.verify(
            secrets.unseal(source.secret()), signature, body, clock.instant(), TOLERANCE)) {
      throw new SignatureRefused();
    }
  }

  private EventSourceStore.Source find(String key) {
    return sources.find(key).orElseThrow(() -> notFound(key));
  }

  private NotFoundException notFound(String key) {
    List<String> known = sources.list().stream().map(EventSourceStore.Source::key).toList();
    return new NotFoundException(
        "Event source '" + key + "' not found" + (known.isEmpty() ? "" : "; known: " + known));
  }

  private String newSecret() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static SourceView view(EventSourceStore.Source s) {
    return new SourceView(s.key(), s.name(), s.createdBy(), s.createdAt());
  }
}
