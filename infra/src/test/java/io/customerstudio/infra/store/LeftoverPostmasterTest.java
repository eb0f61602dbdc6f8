package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.infra.store.LeftoverPostmaster.Identity;
import io.customerstudio.query.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a postgres whose data directory is this one counts as the directory's server. */
class LeftoverPostmasterTest {

  @TempDir Path otherDir;

  @Test
  void aPostgresIsThisDirectorysServerOnlyOnItsOwnDataDirectory() throws Exception {
    Path pgDir;
    try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("show data_directory")) {
      rs.next();
      pgDir = Path.of(rs.getString(1));
    }
    long postmasterPid =
        Long.parseLong(
            Files.readAllLines(pgDir.resolve(LeftoverPostmaster.PID_FILE)).get(0).strip());
    ProcessHandle postmaster = ProcessHandle.of(postmasterPid).orElseThrow();

    assertThat(LeftoverPostmaster.identify(postmaster, pgDir)).isEqualTo(Identity.THIS_SERVER);
    assertThat(LeftoverPostmaster.identify(postmaster, otherDir)).isEqualTo(Identity.OTHER_PROGRAM);
    assertThat(LeftoverPostmaster.identify(ProcessHandle.current(), pgDir))
        .as("this JVM")
        .isEqualTo(Identity.OTHER_PROGRAM);
  }
}
