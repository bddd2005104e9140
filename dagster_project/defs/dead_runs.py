"""A sensor that closes the runs whose process died, so that the run queue never waits on them.

A run launched by the daemon and then killed (OOM killer, SIGKILL, a reboot) stays STARTED in the
Dagster instance: with one run at a time (``dagster_home/dagster.yaml``), every queued run would
wait behind it until the next ``make run`` clears it up. Each minute this sensor marks failed
every run recorded as running whose executing process is gone (:func:`recovery.orphan_runs`, the
same test the next refresh makes under the refresh lock). It only closes run records: killing a
dead run's leftover processes, removing partial releases and setting aside a damaged warehouse
stay with the next refresh, which holds the lock.
"""

import dagster as dg

from dagster_project.recovery import close_dead_run, orphan_runs

NO_CURRENT_RUN = ""


@dg.sensor(name="close_dead_runs", minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Each minute, marks failed the runs whose process died (killed, out of memory), "
                       "so that queued refreshes do not wait on them.")
def close_dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    closed = [f"{orphan.describe()}: {close_dead_run(context.instance, orphan)}"
              for orphan in orphan_runs(context.instance, NO_CURRENT_RUN)]
    for line in closed:
        context.log.warning(f"closed a dead run: {line}")
    return dg.SkipReason("closed " + "; ".join(closed) if closed else "every running run has a live process")
