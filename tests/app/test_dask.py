"""The same per-file task on a Dask cluster gives exactly the local results."""

from __future__ import annotations

import json

from click.testing import CliRunner
from dask.distributed import LocalCluster

from sv_workbook.cli.commands import main

from tests.app.test_batch import AS_OF, mixed  # noqa: F401  (the shared returns-folder fixture)


def test_dask_local_cluster_on_loopback_matches_local_run(mixed):  # noqa: F811
    local = CliRunner().invoke(main, ["validate", str(mixed), "--format", "json", "--jobs", "1", *AS_OF])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = CliRunner().invoke(main, ["validate", str(mixed), "--format", "json", *AS_OF,
                                           "--dask-scheduler", cluster.scheduler_address])
    assert remote.exit_code == local.exit_code == 1
    assert remote.stdout == local.stdout
    assert len(json.loads(remote.stdout)) == 6


def test_unreachable_scheduler_is_a_usage_error(mixed):  # noqa: F811
    result = CliRunner().invoke(main, ["validate", str(mixed), *AS_OF, "--dask-scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "Dask scheduler" in result.stderr
