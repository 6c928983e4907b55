"""The command groups; each stage's command module adds its commands to them."""

import typer

from text2montage.cli.common import DEBUG_KEY, ReportingGroup

app = typer.Typer(
    cls=ReportingGroup,
    name="text2montage",
    help="Korean text-to-montage (몽타주): data, VQGAN, KoDALLE transformer, sampling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Synthesize, prepare and inspect datasets.", no_args_is_help=True)
train_app = typer.Typer(help="Train a stage (vqgan, dalle, reranker).", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a stage and print a JSON report.", no_args_is_help=True)
vqgan_app = typer.Typer(help="Encode images to VQGAN codes and decode them back.", no_args_is_help=True)
pipeline_app = typer.Typer(help="Build and inspect pipeline folders.", no_args_is_help=True)



@app.callback()
def main(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of a user error, not one line."),
) -> None:
    """Korean text-to-montage (몽타주)."""
    ctx.meta[DEBUG_KEY] = debug


app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(vqgan_app, name="vqgan")
app.add_typer(pipeline_app, name="pipeline")
