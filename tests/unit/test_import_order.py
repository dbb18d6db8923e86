"""The sandbox's tables import nothing of the store's models, so any module can be imported first."""

import subprocess
import sys

from pepestore.settings import PROJECT_ROOT

PROBE = """
import sys
import pepestore.payments.sandbox.models as sandbox_models
assert "pepestore.models" not in sys.modules, "the sandbox's tables pulled in the store's models"
import pepestore.models as store_models
from sqlmodel import SQLModel
assert {"shop_order", "sandbox_checkout_session"} <= set(SQLModel.metadata.tables)
assert store_models.utcnow is sandbox_models.utcnow
print("ok")
"""


def test_the_sandbox_models_import_first_in_a_fresh_interpreter_without_the_store_models():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr
