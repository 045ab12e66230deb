"""Starts a real feed server (with an embedded S3 server and a small dataset) for the tests.

The server is the Java one, launched from the trainer-feed module's test classpath, which
`mvn -pl trainer-feed test-compile` (or any later phase) writes to target/test-classpath.txt.
"""

import contextlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FEED = ROOT / "trainer-feed"
sys.path.insert(0, str(ROOT / "python"))

JVM_FLAGS = ["--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"]


def feed_classpath():
    cp_file = FEED / "target" / "test-classpath.txt"
    if not cp_file.exists() or not (FEED / "target" / "test-classes").exists():
        subprocess.run(
            ["mvn", "-q", "-B", "-o", "-pl", "trainer-feed", "test-compile"],
            cwd=ROOT,
            check=True,
        )
    return ":".join(
        [cp_file.read_text().strip(), str(FEED / "target" / "classes"), str(FEED / "target" / "test-classes")]
    )


def launch(*args):
    """Starts io.mlobj.feed.FeedTestLauncher; returns (process, its JSON description)."""
    proc = subprocess.Popen(
        ["java", *JVM_FLAGS, "-cp", feed_classpath(), "io.mlobj.feed.FeedTestLauncher", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    while True:  # log lines may come before the description
        line = proc.stdout.readline()
        if not line:
            proc.kill()
            raise RuntimeError(
                "Cannot start the feed test launcher: it exited with %s" % proc.wait()
            )
        if line.startswith("{"):
            return proc, json.loads(line)


@contextlib.contextmanager
def launched(*args):
    """The launcher's JSON description while a with-block runs; it stops after the block (closing
    its stdin asks it to stop; it is killed if it has not within 30 s)."""
    proc, info = launch(*args)
    try:
        yield info
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def feed():
    """A feed server over 2 shards x 4 batches x 30 rows of 3x8x8 uint8 images (240 samples)."""
    with launched("--shards", "2", "--batches", "4", "--rows", "30", "--size", "8") as info:
        yield info


def pytest_collection_modifyitems(items):
    """Runs the tests that stream in the pytest process last: a stream starts gRPC in the process,
    and from then on ds.loader() must spawn its workers (each imports torch: seconds per pass)
    instead of forking them."""
    items.sort(key=lambda item: item.get_closest_marker("streams_here") is not None)
