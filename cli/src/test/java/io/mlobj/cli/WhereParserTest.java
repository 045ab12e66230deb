package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WhereParserTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "label = 3|label = 3",
        "split != 'train'|split != 'train'",
        "x < 1.5|x < 1.5",
        "x<=2 AND y>=-1|(x <= 2 AND y >= -1)",
        "ok = true|ok = true",
        "name = 'it''s'|name = 'it's'",
      })
  void parsesComparisonsJoinedWithAnd(String where, String expected) {
    assertThat(WhereParser.parse(where).toString()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "a = 1 or b = 2|unexpected 'or b = 2' at character 7",
        "a like 'x%'|expected an operator",
        "a = |expected a value",
        "a = 'open|unterminated string",
        "a in (1, 2|expected ')'",
        "= 3|expected a column name at character 1",
        "a = b|expected a number, true/false or a 'quoted string'",
        "not a = 1|expected a column name, found 'not'",
      })
  void refusesAnythingElseWithThePositionAndTheSupportedForms(String where, String message) {
    assertThatThrownBy(() -> WhereParser.parse(where))
        .isInstanceOf(CliException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("Cannot parse --where")
        .hasMessageContaining("joined with 'and'");
  }
}
