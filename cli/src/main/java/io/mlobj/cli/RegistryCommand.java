package io.mlobj.cli;

import io.mlobj.registry.CheckpointRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * Base of the commands that work on the checkpoint registry ({@code checkpoint ...}, {@code query},
 * {@code lineage}): the common options, {@code --registry} and opening the registry, defined once.
 */
abstract class RegistryCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;
  @Mixin RegistryOption reg;

  /** Opens the registry {@code --registry} (or the mlobj.registry setting) names; close it. */
  CheckpointRegistry openRegistry() {
    return reg.open(opts);
  }
}
