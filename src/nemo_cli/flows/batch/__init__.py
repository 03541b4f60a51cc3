"""`nemo batch`: many jobs, each its own session, upload, edit (or recipe) and export, side by side.

    plan.load(path, shown) -> list[Job]      read and check a whole plan before anything is sent
    plan.results_path(path) -> Path          plan.toml → plan.results.json
    results.Results                          the results file, rewritten after every step
    run.Batch(jobs, results, …).run(show)    run the jobs; each step a flow call in this process
    run.done_earlier(job, record)            an earlier run finished the job and its output is still there
"""
