package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.testing.TestPostgres;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Priority lists on PostgreSQL: rank order, one list per audience, all-or-nothing saves. */
class PriorityListStoreTest {

  PriorityListStore lists;

  @BeforeEach
  void migrate() {
    var dataSource = TestPostgres.newDatabase("prioritylists");
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    DSLContext db = DSL.using(dataSource, SQLDialect.POSTGRES);
    lists =
        new PriorityListStore(
            db, Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));
  }

  static PriorityListStore.Draft draft(String name, String... audiences) {
    return new PriorityListStore.Draft(name, "users", List.of(audiences));
  }

  @Test
  void keepsTheAudiencesInRankOrderAndFindsTheListOfAnAudience() {
    PriorityListStore.PriorityList created =
        lists.create("q4", draft("Q4 offers", "vip", "winback", "newsletter"), "ann");
    assertThat(created.audiences()).containsExactly("vip", "winback", "newsletter");
    assertThat(created.parent()).isEqualTo("users");
    assertThat(created.createdBy()).isEqualTo("ann");

    assertThat(lists.containing("winback")).map(PriorityListStore.PriorityList::key).contains("q4");
    assertThat(lists.containing("winback").orElseThrow().audiences())
        .containsExactly("vip", "winback", "newsletter");
    assertThat(lists.containing("nobody")).isEmpty();

    lists.create("other", draft("Another", "churned"), "bob");
    assertThat(lists.list())
        .extracting(PriorityListStore.PriorityList::key)
        .containsExactly("other", "q4");
    assertThat(lists.list().get(1).audiences()).containsExactly("vip", "winback", "newsletter");
  }

  @Test
  void anUpdateReplacesTheOrderAndReleasesRemovedAudiences() {
    lists.create("q4", draft("Q4 offers", "vip", "winback", "newsletter"), "ann");
    PriorityListStore.PriorityList updated =
        lists.update("q4", draft("Q4", "newsletter", "vip"), "bob").orElseThrow();
    assertThat(updated.audiences()).containsExactly("newsletter", "vip");
    assertThat(updated.name()).isEqualTo("Q4");
    assertThat(updated.updatedBy()).isEqualTo("bob");
    assertThat(updated.createdBy()).isEqualTo("ann");
    assertThat(lists.containing("winback")).isEmpty();
    assertThat(lists.update("missing", draft("X", "a"), "bob")).isEmpty();
  }

  @Test
  void anAudienceIsInAtMostOneListAndAFailedSaveChangesNothing() {
    lists.create("q4", draft("Q4 offers", "vip", "winback"), "ann");
    lists.create("spring", draft("Spring", "newsletter"), "ann");

    assertThatThrownBy(() -> lists.create("q1", draft("Q1", "churned", "vip"), "ann"))
        .isInstanceOf(IntegrityConstraintViolationException.class);
    assertThat(lists.find("q1")).isEmpty();

    assertThatThrownBy(() -> lists.update("spring", draft("Spring", "newsletter", "vip"), "ann"))
        .isInstanceOf(IntegrityConstraintViolationException.class);
    assertThat(lists.find("spring").orElseThrow().audiences()).containsExactly("newsletter");
    assertThat(lists.containing("vip").orElseThrow().key()).isEqualTo("q4");
  }

  @Test
  void deletingAListFreesItsAudiences() {
    lists.create("q4", draft("Q4 offers", "vip", "winback"), "ann");
    assertThat(lists.delete("q4")).isTrue();
    assertThat(lists.delete("q4")).isFalse();
    assertThat(lists.find("q4")).isEmpty();
    assertThat(lists.containing("vip")).isEmpty();
    lists.create("again", draft("Again", "vip"), "ann");
    assertThat(lists.containing("vip").orElseThrow().key()).isEqualTo("again");
  }
}
