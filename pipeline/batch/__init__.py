"""Running many pages: the runner (plan, execute, record), the manifest, the
progress line, one page in a worker (worker), where pages run (executors:
local processes; dask_executor: a Dask cluster, whose pages run in
subprocess children, pagechild), process set-up they share (procs)."""
