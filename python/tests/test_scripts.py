"""Training scripts as users write them, run as separate processes with DataLoader workers."""

import os
import subprocess
import sys

from conftest import ROOT

TOP_LEVEL = '''
import os
from mlobj_torch import FeedClient, MlobjIterableDataset
ds = MlobjIterableDataset(os.environ["FEED"], os.environ["DATASET"], token=os.environ["TOKEN"],
                          batch_size=16, device=None)
{before}
n = sum(len(b["id"]) for b in ds.loader(num_workers=2))
print("samples", n)
'''


def run(tmp_path, feed, source):
    script = tmp_path / "train.py"
    script.write_text(source)
    env = dict(os.environ, FEED=feed["endpoint"], DATASET=feed["dataset"], TOKEN=feed["token"],
               PYTHONPATH=os.pathsep.join([str(ROOT / "python"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                          timeout=240)


def test_a_top_level_loop_without_a_main_guard_runs_with_workers(feed, tmp_path):
    # This process has not streamed (its plan call ran in a forked helper, and so does the
    # checkpoint call), so the workers are forked: nothing re-runs the top level.
    checkpoint = 'FeedClient(os.environ["FEED"], os.environ["TOKEN"]).put_checkpoint("m", b"w")'
    done = run(tmp_path, feed, TOP_LEVEL.format(before=checkpoint))
    assert done.returncode == 0, done.stderr
    assert "samples 240" in done.stdout


def test_a_top_level_loop_that_must_spawn_says_to_add_the_main_guard(feed, tmp_path):
    # A stream in this process started gRPC here: workers must be spawned, which would re-run
    # this top level in every worker.
    done = run(tmp_path, feed, TOP_LEVEL.format(before="first = next(iter(ds))"))
    assert done.returncode != 0
    assert "FeedError: Cannot start 2 DataLoader workers from the top level of" in done.stderr
    assert 'Put the training loop under `if __name__ == "__main__":`' in done.stderr
    assert "bootstrapping" not in done.stderr
