package io.mlobj.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {
  @Test
  void semicolonsInStringsQuotedNamesAndCommentsDoNotEndAStatement() {
    String sql =
        "CREATE TABLE t (`a;b` INT) WITH (\n"
            + "  'path' = 's3a://x/y;z', -- a comment; still the same statement\n"
            + "  'it''s' = \"q;\" /* block; comment */\n"
            + ");\n"
            + "\n"
            + "INSERT INTO t SELECT 1;   -- trailing comment; only a comment\n"
            + "select 2\n";
    List<SqlStatements.Statement> statements = SqlStatements.split(sql);
    assertThat(statements)
        .extracting(SqlStatements.Statement::keyword)
        .containsExactly("CREATE", "INSERT", "SELECT");
    assertThat(statements).extracting(SqlStatements.Statement::line).containsExactly(0, 5, 6);
    assertThat(statements.get(0).text())
        .startsWith("CREATE TABLE t (`a;b` INT)")
        .contains("'s3a://x/y;z'", "'it''s' = \"q;\" /* block; comment */")
        .endsWith(")");
    assertThat(statements.get(1).text()).isEqualTo("INSERT INTO t SELECT 1");
    assertThat(statements.get(2).text()).isEqualTo("-- trailing comment; only a comment\nselect 2");
  }

  @Test
  void blocksOfOnlyCommentsOrBlanksHaveNoStatements() {
    assertThat(SqlStatements.split("-- nothing; here\n  ;\n/* nor ; here */")).isEmpty();
  }
}
