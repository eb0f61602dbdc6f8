package io.customerstudio.app.syncs;

import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.infra.store.SyncMode;
import java.util.List;

/**
 * A sync as a person or an API client asks for it, for {@link SyncDefinitions} to check and save.
 * The sync editor builds one from its fields; the API reads one from the request's JSON.
 *
 * <p>Where a request gave a value that has no place in these types (a mode no {@link SyncMode}
 * names, a mapping that is not a list, an entry that is not an object) the field is null: the
 * reader reports what it could not read, and {@link SyncDefinitions} reports every other null as
 * missing. The key is ignored on an update (the sync's own key counts); a null name means the key.
 * {@code subsets} (governance spec 4): the rows the sync may deliver; null keeps what an update had
 * (none on a create), {} lifts the requirement.
 *
 * <p>{@code splitGroups}: the groups of the audience's split the sync delivers; null means every
 * group that is not a holdout (and nothing to choose when the audience has no split).
 */
public record SyncCommand(
    String key,
    String name,
    String audience,
    String destination,
    SyncMode mode,
    List<SyncSpec.Field> mapping,
    SyncSpec.Field identifier,
    Schedule schedule,
    boolean enabled,
    boolean snapshots,
    java.util.Map<String, List<String>> subsets,
    List<String> splitGroups) {

  /** A command without subsets that leaves the split groups to their default. */
  public SyncCommand(
      String key,
      String name,
      String audience,
      String destination,
      SyncMode mode,
      List<SyncSpec.Field> mapping,
      SyncSpec.Field identifier,
      Schedule schedule,
      boolean enabled,
      boolean snapshots) {
    this(
        key,
        name,
        audience,
        destination,
        mode,
        mapping,
        identifier,
        schedule,
        enabled,
        snapshots,
        null,
        null);
  }

  /** A command that leaves the split groups to their default. */
  public SyncCommand(
      String key,
      String name,
      String audience,
      String destination,
      SyncMode mode,
      List<SyncSpec.Field> mapping,
      SyncSpec.Field identifier,
      Schedule schedule,
      boolean enabled,
      boolean snapshots,
      java.util.Map<String, List<String>> subsets) {
    this(
        key,
        name,
        audience,
        destination,
        mode,
        mapping,
        identifier,
        schedule,
        enabled,
        snapshots,
        subsets,
        null);
  }
}
