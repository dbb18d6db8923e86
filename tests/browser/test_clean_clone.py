"""Running the store must not rewrite tracked files (Reflex persists its npm lockfiles under reflex.lock/)."""

import subprocess

from pepestore.settings import PROJECT_ROOT

WATCHED = ["reflex.lock", "rxconfig.py", "assets", ".gitignore", "requirements.txt"]


def test_running_the_store_leaves_the_clone_clean(store_url):
    # store_url has built and started the production store by now
    changed = subprocess.run(["git", "status", "--porcelain", "--", *WATCHED], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert changed == ""
