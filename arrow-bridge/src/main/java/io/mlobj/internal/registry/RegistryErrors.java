package io.mlobj.internal.registry;

import static io.mlobj.MlobjErrors.cannot;
import static io.mlobj.MlobjException.Kind.CONFLICT;
import static io.mlobj.MlobjException.Kind.CORRUPT;
import static io.mlobj.MlobjException.Kind.INVALID_ARGUMENT;
import static io.mlobj.MlobjException.Kind.NOT_FOUND;

import io.mlobj.MlobjException;

/** User-facing errors of the checkpoint registry, worded in one place. */
public final class RegistryErrors {
  private RegistryErrors() {}

  public static MlobjException modelNotFound(String registry, String model) {
    return cannot(
        NOT_FOUND,
        "find model '%s' in registry %s: it has no checkpoints. Run 'mlobj checkpoint ls"
            + " --registry %s' to list the models.",
        model,
        registry,
        registry);
  }

  public static MlobjException checkpointNotFound(String registry, String model, long version) {
    return cannot(
        NOT_FOUND,
        "find checkpoint %s@v%d in registry %s: no such version. Run 'mlobj checkpoint ls %s' to"
            + " list its versions.",
        model,
        version,
        registry,
        model);
  }

  public static MlobjException aliasNotFound(String registry, String model, String alias) {
    return cannot(
        NOT_FOUND,
        "resolve alias '%s' of model '%s' in registry %s: it was never set. Set it with 'mlobj"
            + " checkpoint alias %s %s <version>'.",
        alias,
        model,
        registry,
        model,
        alias);
  }

  public static MlobjException nothingToRollBack(String registry, String model, String alias) {
    return cannot(
        INVALID_ARGUMENT,
        "roll back alias '%s' of model '%s' in registry %s: it has no earlier target. Set it to a"
            + " version explicitly instead.",
        alias,
        model,
        registry);
  }

  public static MlobjException contentDamaged(String uri, String ref, long expected, long actual) {
    return cannot(
        CORRUPT,
        "read checkpoint %s (%s): CRC32C mismatch (expected 0x%08x, got 0x%08x). The model file is"
            + " damaged; restore it or store the checkpoint again.",
        ref,
        uri,
        expected,
        actual);
  }

  public static MlobjException contentMissing(String uri, String ref) {
    return cannot(
        NOT_FOUND,
        "read checkpoint %s: its model file %s does not exist (deleted outside mlobj). Store the"
            + " checkpoint again.",
        ref,
        uri);
  }

  public static MlobjException badLineage(String ref) {
    return cannot(
        INVALID_ARGUMENT,
        "record lineage '%s': expected <dataset uri>@v<version>, e.g. s3a://bucket/images@v3.",
        ref);
  }

  public static MlobjException contended(String what, int attempts) {
    return cannot(
        CONFLICT, "commit %s: other writers won %d times in a row. Retry later.", what, attempts);
  }
}
