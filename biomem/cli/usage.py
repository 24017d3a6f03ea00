"""Click's usage errors rewritten as biomem's one-line ``parameter: problem (accepted: ...)``."""

from __future__ import annotations

from biomem.errors import BiomemError

try:  # recent typer vendors click as typer._click
    from typer._click.exceptions import BadParameter, NoSuchOption, UsageError
except ImportError:  # pragma: no cover - older typer on top of click
    from click.exceptions import BadParameter, NoSuchOption, UsageError


def _option_names(command) -> list[str]:
    names = []
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            names.extend(name for name in param.opts if name.startswith("--"))
    return names + ["--help"]


def _param_accepts(param, command: str) -> str:
    """What a click parameter accepts, for an error line."""
    if getattr(param, "is_flag", False):
        return "a flag, given without a value"
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return ", ".join(map(str, choices))
    if param.name == "model":
        try:
            from biomem.models import registry

            return "a model name: " + (", ".join(registry.all_models()) or "none installed")
        except BiomemError:
            pass
    text = " ".join(str(getattr(param, "help", "") or "").split()).rstrip(".")
    metavar = getattr(param, "metavar", None)
    if metavar and text:
        return f"{metavar}: {text}"
    return text or metavar or f"see '{command} --help'"


def _param_name(param) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return (param.name or "argument").upper()
    opts = getattr(param, "opts", None) or [param.name or "parameter"]
    return max(opts, key=len)


def _find_option(ctx, name: str, root=None):
    """The option called ``name``: in the failing command, else in the root group or its commands
    (click does not always attach a context to option-usage errors)."""
    commands = [getattr(ctx, "command", None)]
    if root is not None:
        commands += [root] + list(getattr(root, "commands", {}).values())
    for command in commands:
        for param in getattr(command, "params", []):
            if name in getattr(param, "opts", ()):
                return param
    return None


def usage_line(error: UsageError, root=None) -> str:
    """Click's usage error as ``parameter: problem (accepted: ...)``."""
    ctx = error.ctx
    command = ctx.command_path if ctx is not None else "biomem"
    message = error.format_message().strip().rstrip(".")
    if isinstance(error, NoSuchOption):
        return (f"{error.option_name}: no such option of '{command}' "
                f"(accepted: {', '.join(_option_names(ctx.command)) if ctx else '--help'})")
    option_name = getattr(error, "option_name", None)
    if option_name:  # BadOptionUsage: e.g. an option given without its value
        param = _find_option(ctx, option_name, root)
        problem = "requires a value" if "requires an argument" in message else \
            message.replace(f"Option {option_name!r} ", "")
        return f"{option_name}: {problem} (accepted: {_param_accepts(param, command) if param else '--help'})"
    if message.startswith("No such command") and ctx is not None and hasattr(ctx.command, "commands"):
        return f"command: {message[0].lower()}{message[1:]} (accepted: {', '.join(ctx.command.commands)})"
    param = getattr(error, "param", None)
    if isinstance(error, BadParameter) and param is not None:
        if type(error).__name__ == "MissingParameter":
            problem = "missing"
        else:
            problem = " ".join(str(error.message or message).split()).rstrip(".")
        return f"{_param_name(param)}: {problem} (accepted: {_param_accepts(param, command)})"
    return f"{command}: {message[0].lower()}{message[1:]} (accepted: see '{command} --help')"
