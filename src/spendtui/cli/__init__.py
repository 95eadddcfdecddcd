"""The ``spendtui`` command: a thin click layer over headless functions.

Subcommands load lazily, so ``spendtui report`` never pays for Textual, httpx or pypdf; only the
dashboard imports ``spendtui.tui``.
"""

from __future__ import annotations

import importlib
import sys

import click

from spendtui import __version__
from spendtui.cli.env import Env, global_options
from spendtui.errors import SpendtuiError

# name -> "module:attribute"; one line per command group keeps start-up imports lazy.
COMMANDS = {
    "demo": "spendtui.cli.demo:demo",
    "report": "spendtui.cli.report:report",
    "status": "spendtui.cli.status:status",
    "sync": "spendtui.cli.sync:sync",
}


class LazyGroup(click.Group):
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
        cli.main(args=argv, prog_name="spendtui", standalone_mode=False)
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
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        raise SystemExit(130) from None
    raise SystemExit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
