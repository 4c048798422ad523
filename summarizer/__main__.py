import signal
import sys


def _early(_signum: int, _frame: object) -> None:
    raise SystemExit(130)  # Ctrl-C before the program has loaded: quiet, as later (launch.main)


signal.signal(signal.SIGINT, _early)
from .launch import main  # noqa: E402 - after the handler: a Ctrl-C while this loads is quiet

signal.signal(signal.SIGINT, signal.default_int_handler)
sys.exit(main())
