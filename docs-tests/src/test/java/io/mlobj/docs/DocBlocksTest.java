package io.mlobj.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocBlocksTest {
  @Test
  void findsBacktickTildeAndIndentedFencesWithTheirLanguageLineAndMarker() {
    String md =
        "# T\n"
            + "```bash\nmlobj ls s3a://b\n```\n"
            + "1. step\n"
            + "   <!-- docs-test: context spark -->\n"
            + "   ```java\n   spark.read();\n     indented();\n   ```\n"
            + "~~~~sql title\nSELECT 1;\n```\nstill sql\n~~~~\n"
            + "````\n```\nnested\n```\n````\n";
    List<DocBlock> blocks = DocBlocks.parse("f.md", md);
    assertThat(blocks).extracting(DocBlock::line).containsExactly(2, 7, 11, 16);
    assertThat(blocks).extracting(DocBlock::language).containsExactly("bash", "java", "sql", "");
    assertThat(blocks.get(1).code()).isEqualTo("spark.read();\n  indented();\n");
    assertThat(blocks.get(1).context("kernel")).isEqualTo("spark");
    assertThat(blocks.get(0).context("kernel")).isEqualTo("kernel");
    assertThat(blocks.get(2).code()).isEqualTo("SELECT 1;\n```\nstill sql\n");
    assertThat(blocks.get(3).code()).isEqualTo("```\nnested\n```\n");
  }

  @Test
  void anUnclosedFenceIsAnError() {
    assertThatThrownBy(() -> DocBlocks.parse("f.md", "text\n```java\nx();\n"))
        .hasMessageContaining("f.md:2: the code block is never closed");
  }

  @Test
  void shellWordsFollowQuotingCommentsAndHome() {
    assertThat(
            ShellWords.split(
                "$ mlobj show 'a b' \"c \\\"d\\\"\" e\\ f ~/x # comment",
                java.nio.file.Path.of("/h")))
        .containsExactly("mlobj", "show", "a b", "c \"d\"", "e f", "/h/x");
    assertThat(CliBlockRunner.logicalLines("a \\\n  b\nc\n")).containsExactly("a    b", "c");
  }
}
