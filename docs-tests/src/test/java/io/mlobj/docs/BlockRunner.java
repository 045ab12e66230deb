package io.mlobj.docs;

/** Runs one kind of block; throws (an {@link AssertionError} or any exception) if it fails. */
interface BlockRunner {
  void run(DocBlock block) throws Exception;
}
