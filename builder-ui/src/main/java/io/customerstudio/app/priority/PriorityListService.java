package io.customerstudio.app.priority;

import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.engine.PriorityPreview;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Priority lists (governance spec, section 2): audiences of one parent in rank order, each audience
 * in at most one list. A command is checked as a whole (every problem with its JSON path) before
 * anything is saved; an audience another list holds is a conflict naming that list. The preview
 * shows, per audience, who it keeps and who it loses to each higher rank, computed in the warehouse
 * in one query. Every change is recorded in the audit trail as the API shows the list.
 */
@Service
public class PriorityListService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  /** The most audiences one list ranks. */
  public static final int MAX_AUDIENCES = 50;

  /** What a create or an update asks for; {@code audiences} highest rank first. */
  public record Command(String key, String name, List<String> audiences) {}

  /** A list as the API shows it; {@code audiences} highest rank first. */
  public record PriorityListView(
      String key,
      String name,
      String parent,
      List<String> audiences,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  /** Per audience in rank order: members, kept, and lost to each higher rank. */
  public record Preview(String list, List<PriorityPreview.Rank> audiences) {}

  /** A saved audience as the list editor offers it: the list it is in, if any. */
  public record Candidate(String key, String name, String parent, String list) {}

  private final PriorityListStore lists;
  private final AudienceStore audiences;
  private final Workspace workspace;
  private final io.customerstudio.app.security.CurrentRestriction restriction;
  private final AuditTrail audit;
  private final Clock clock;

  public PriorityListService(
      PriorityListStore lists,
      AudienceStore audiences,
      Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction,
      AuditTrail audit,
      Clock clock) {
    this.lists = lists;
    this.audiences = audiences;
    this.workspace = workspace;
    this.restriction = restriction;
    this.audit = audit;
    this.clock = clock;
  }

  public List<PriorityListView> list() {
    return lists.list().stream().map(PriorityListService::view).toList();
  }

  /**
   * @throws NotFoundException when there is no such list
   */
  public PriorityListView get(String key) {
    return view(find(key));
  }

  /**
   * @throws ValidationException naming each field at fault
   * @throws ConflictException when the key is taken or an audience is in another list
   */
  public PriorityListView create(Command command, String user) {
    Problems problems = new Problems();
    String key = command.key();
    if (key == null || !KEY.matcher(key).matches()) {
      problems.add(
          "$.key",
          "use 1 to 100 lower-case letters, digits, '-' or '_', starting with a letter or digit");
    }
    PriorityListStore.Draft draft = draft(command, problems);
    if (lists.find(key).isPresent()) {
      throw new ConflictException(
          "A priority list '" + key + "' already exists; choose another key or update it");
    }
    claimable(key, draft.audiences());
    PriorityListView created = view(save(() -> lists.create(key, draft, user), key, draft));
    audit.record(
        user, AuditTrail.Entity.PRIORITY_LIST, key, AuditTrail.Action.CREATE, null, created);
    return created;
  }

  /**
   * Renames the list and replaces its audiences, in the new order.
   *
   * @throws NotFoundException when there is no such list
   * @throws ValidationException naming each field at fault
   * @throws ConflictException when an audience is in another list
   */
  public PriorityListView update(String key, Command command, String user) {
    PriorityListView before = view(find(key));
    Problems problems = new Problems();
    if (command.key() != null && !command.key().equals(key)) {
      problems.add("$.key", "is '" + key + "' (from the path); a list's key cannot change");
    }
    PriorityListStore.Draft draft = draft(command, problems);
    claimable(key, draft.audiences());
    PriorityListView after =
        view(
            save(
                () -> lists.update(key, draft, user).orElseThrow(() -> notFound(key)), key, draft));
    audit.record(
        user, AuditTrail.Entity.PRIORITY_LIST, key, AuditTrail.Action.UPDATE, before, after);
    return after;
  }

  /**
   * Deletes a list: its audiences are ranked by nothing from the next run on.
   *
   * @throws NotFoundException when there is no such list
   */
  public void delete(String key, String user) {
    PriorityListView before = view(find(key));
    if (!lists.delete(key)) {
      throw notFound(key);
    }
    audit.record(
        user, AuditTrail.Entity.PRIORITY_LIST, key, AuditTrail.Action.DELETE, before, null);
  }

  /**
   * Per audience, highest rank first: its members now, those it keeps, and those lost to each
   * higher-ranked audience (each member goes to the highest-ranked audience containing it).
   *
   * @throws NotFoundException when there is no such list
   */
  public Preview preview(String key) {
    return new Preview(key, rank(find(key).audiences()));
  }

  /**
   * The preview of audiences in an order not saved yet (an editor's draft), checked as a save
   * checks them.
   *
   * @throws ValidationException naming each audience at fault ({@code $.audiences[i]})
   */
  public Preview previewDraft(String key, List<String> audienceKeys) {
    Problems problems = new Problems();
    checkAudiences(audienceKeys, problems);
    problems.throwIfAny();
    return new Preview(key, rank(audienceKeys));
  }

  private List<PriorityPreview.Rank> rank(List<String> keys) {
    List<Map.Entry<String, AudienceDefinition>> ranked = new ArrayList<>();
    for (String a : keys) {
      AudienceStore.Audience saved =
          audiences
              .find(a)
              .orElseThrow(() -> new NotFoundException("Audience '" + a + "' not found"));
      ranked.add(Map.entry(a, Workspace.definition(saved.definition())));
    }
    return restriction.apply(workspace.engine()).priority(ranked, "$.audiences", clock.instant());
  }

  /** The list that ranks an audience, if any. */
  public Optional<PriorityListView> containing(String audience) {
    return lists.containing(audience).map(PriorityListService::view);
  }

  /** Every saved audience, by name, with the list it is in: what an editor may add. */
  public List<Candidate> candidates() {
    Map<String, String> listOf = new HashMap<>();
    for (PriorityListStore.PriorityList l : lists.list()) {
      l.audiences().forEach(a -> listOf.put(a, l.key()));
    }
    return audiences.list(null).stream()
        .map(a -> new Candidate(a.key(), a.name(), a.parentModel(), listOf.get(a.key())))
        .toList();
  }

  // ---------------------------------------------------------------- internals

  /** The name and audiences checked: each exists, once, over one parent. Throws every problem. */
  private PriorityListStore.Draft draft(Command c, Problems problems) {
    if (c.name() == null || c.name().isBlank() || c.name().length() > 200) {
      problems.add("$.name", "give a name of 1 to 200 characters");
    }
    List<String> keys = c.audiences() == null ? List.of() : c.audiences();
    String parent = checkAudiences(keys, problems);
    problems.throwIfAny();
    return new PriorityListStore.Draft(c.name().strip(), parent, keys);
  }

  /** Adds a problem for each audience that is unknown, listed twice or of another parent. */
  private String checkAudiences(List<String> keys, Problems problems) {
    if (keys == null || keys.isEmpty()) {
      problems.add("$.audiences", "give at least one audience key, highest priority first");
      return null;
    }
    if (keys.size() > MAX_AUDIENCES) {
      problems.add(
          "$.audiences",
          "a list ranks at most " + MAX_AUDIENCES + " audiences, got " + keys.size());
    }
    Map<String, AudienceStore.Audience> known = new HashMap<>();
    audiences.list(null).forEach(a -> known.put(a.key(), a));
    Map<String, Integer> seen = new HashMap<>();
    String parent = null;
    String firstKey = null;
    for (int i = 0; i < keys.size(); i++) {
      String path = "$.audiences[" + i + "]";
      String k = keys.get(i);
      if (k == null) {
        problems.add(path, "give an audience key, not null");
        continue;
      }
      Integer first = seen.putIfAbsent(k, i);
      if (first != null) {
        problems.add(path, "'" + k + "' is listed twice (also at [" + first + "])");
        continue;
      }
      AudienceStore.Audience a = known.get(k);
      if (a == null) {
        problems.add(path, Problems.unknown("audience", k, null, known.keySet()));
        continue;
      }
      if (parent == null) {
        parent = a.parentModel();
        firstKey = k;
      } else if (!parent.equals(a.parentModel())) {
        problems.add(
            path,
            "'"
                + k
                + "' is over "
                + a.parentModel()
                + "; the list is over "
                + parent
                + " (as '"
                + firstKey
                + "' is)");
      }
    }
    return parent;
  }

  /** Refuses audiences that a list other than {@code key} holds, naming that list. */
  private void claimable(String key, List<String> wanted) {
    for (String a : wanted) {
      Optional<PriorityListStore.PriorityList> other = lists.containing(a);
      if (other.isPresent() && !other.get().key().equals(key)) {
        throw inOtherList(a, other.get());
      }
    }
  }

  private static ConflictException inOtherList(String audience, PriorityListStore.PriorityList l) {
    return new ConflictException(
        "Audience '"
            + audience
            + "' is already in priority list '"
            + l.key()
            + "' ("
            + l.name()
            + "); an audience is in at most one list, so remove it there first");
  }

  /**
   * Runs a save; a unique violation there is a concurrent save that took the key or an audience
   * between the checks and the insert, reported as the conflict the checks would have found.
   */
  private PriorityListStore.PriorityList save(
      java.util.function.Supplier<PriorityListStore.PriorityList> write,
      String key,
      PriorityListStore.Draft draft) {
    try {
      return write.get();
    } catch (RuntimeException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      claimable(key, draft.audiences());
      throw new ConflictException(
          "Priority list '" + key + "' was changed or created at the same time; try again");
    }
  }

  private static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private PriorityListStore.PriorityList find(String key) {
    return lists.find(key).orElseThrow(() -> notFound(key));
  }

  private NotFoundException notFound(String key) {
    List<String> known = lists.list().stream().map(PriorityListStore.PriorityList::key).toList();
    return new NotFoundException(
        "Priority list '" + key + "' not found" + (known.isEmpty() ? "" : "; known: " + known));
  }

  static PriorityListView view(PriorityListStore.PriorityList l) {
    return new PriorityListView(
        l.key(),
        l.name(),
        l.parent(),
        l.audiences(),
        l.createdBy(),
        l.createdAt(),
        l.updatedBy(),
        l.updatedAt());
  }
}
