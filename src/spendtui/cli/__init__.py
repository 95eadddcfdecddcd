"""The ``spendtui`` command: a thin click layer over headless functions.

Subcommands load lazily, so ``spendtui report`` never pays for Textual, httpx or pypdf; only the
dashboard imports ``spendtui.tui``.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys

import click

from spendtui import __version__
from spendtui.cli.env import Env, global_options
from spendtui.errors import SpendtuiError

# name -> "module:attribute"; one line per command group keeps start-up imports lazy.
COMMANDS = {
    "backup": "spendtui.cli.org:backup",
    "budget": "spendtui.cli.budget:budget",
    "demo": "spendtui.cli.demo:demo",
    "import": "spendtui.cli.importing:import_command",
    "imports": "spendtui.cli.importing:imports",
    "invoice": "spendtui.cli.invoices:invoice",
    "people": "spendtui.cli.org:people",
    "report": "spendtui.cli.report:report",
    "seats": "spendtui.cli.org:seats",
    "status": "spendtui.cli.status:status",
    "sync": "spendtui.cli.sync:sync",
    "teams": "spendtui.cli.org:teams",
}


class Failure(click.ClickException):
    """One of our errors as click reports it: our message, our exit code (also under CliRunner)."""

    def __init__(self, error: SpendtuiError):
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        click.echo(f"spendtui: error: {self.message}", err=True, file=file)


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SpendtuiError as error:
            raise Failure(error) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spendtui")
@click.option("--demo", "demo", is_flag=True, help="Open the dashboard on a freshly generated demo store.")
@global_options
@click.pass_context
def cli(ctx: click.Context, demo: bool) -> None:
    """See and control what your company spends on Cursor, Anthropic and OpenAI.

    Without a command, opens the dashboard on the store.
    """
    if ctx.invoked_subcommand is not None:
        return
    env = Env.of(ctx)
    from spendtui.cli.dashboard import open_dashboard

    raise SystemExit(open_dashboard(env, demo=demo))


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning our errors into the exit codes cli.md promises."""
    try:
        # Without standalone mode click returns ctx.exit(N)'s code instead of raising it.
        code = cli.main(args=argv, prog_name="spendtui", standalone_mode=False)
    except click.exceptions.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click.ClickException as error:
        error.show()
        raise SystemExit(error.exit_code) from None
    except click.Abort:
        click.echo("Aborted.", err=True)
        raise SystemExit(1) from None
    except SpendtuiError as error:
        click.echo(f"spendtui: error: {error}", err=True)
        raise SystemExit(error.exit_code) from None
    except sqlite3.OperationalError as error:  # what no command turned into a message of its own
        busy = "locked" in str(error)
        reason = "busy: another process (a sync, an import) is writing it; try again when it is done" if busy else (
            f"could not be read or written ({error})")  # fmt: skip
        click.echo(f"spendtui: error: the store is {reason}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
