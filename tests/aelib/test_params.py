import pytest

from aelib import params


def test_full_profile_keeps_notebook_values(tmp_path):
    s = params.settings(profile="full", seed=0, epochs=10, batch_size=256, out_dir=tmp_path / "o")
    assert (s.epochs, s.batch_size, s.train_size, s.test_size) == (10, 256, None, None)
    assert s.out_dir.is_dir()


def test_smoke_profile_shrinks(tmp_path):
    s = params.settings(profile="smoke", seed=3, epochs=10, batch_size=256, out_dir=tmp_path)
    assert s.epochs == 1 and s.train_size == 512
    x = list(range(1000))
    assert len(s.subset(x, split="train")) == 512
    assert len(s.subset(x, split="test")) == 256


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"profile": "fast"}, "unknown profile 'fast'"),
        ({"seed": -1}, "seed"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"out_dir": ""}, "out_dir"),  # empty needs notebook= (the default folder's name)
    ],
)
def test_bad_parameters_name_the_problem(tmp_path, kwargs, match):
    base = {"profile": "full", "seed": 0, "epochs": 10, "batch_size": 256, "out_dir": tmp_path}
    with pytest.raises(ValueError, match=match):
        params.settings(**{**base, **kwargs})


def test_list_and_fraction_and_file_checks(tmp_path):
    assert params.check_int_list("latent_dims", [2, 8]) == [2, 8]
    with pytest.raises(ValueError, match=r"latent_dims\[1\]"):
        params.check_int_list("latent_dims", [2, 0])
    with pytest.raises(ValueError, match="amount"):
        params.check_fraction("amount", 1.2)
    with pytest.raises(FileNotFoundError, match="run notebook 04"):
        params.check_existing_file("encoder_path", tmp_path / "nope.keras", hint="run notebook 04")


def test_empty_out_dir_is_per_profile_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = {"epochs": 10, "batch_size": 256, "out_dir": "", "notebook": "05_fashion_transfer"}
    smoke = params.settings(profile="smoke", seed=3, **base)
    full = params.settings(profile="full", seed=3, **base)
    other_seed = params.settings(profile="smoke", seed=4, **base)
    assert smoke.out_dir == params.Path("results/smoke/seed3/05_fashion_transfer")
    assert full.out_dir == params.Path("results/full/seed3/05_fashion_transfer")
    assert other_seed.out_dir == params.Path("results/smoke/seed4/05_fashion_transfer")
    assert all((tmp_path / r.out_dir).is_dir() for r in (smoke, full, other_seed))
    explicit = params.settings(profile="smoke", seed=3, **{**base, "out_dir": "runs/x"})
    assert explicit.out_dir == params.Path("runs/x")


def test_empty_out_dir_needs_the_notebook_name(tmp_path):
    with pytest.raises(ValueError, match="out_dir"):
        params.settings(profile="smoke", seed=0, epochs=1, batch_size=8, out_dir="")


def test_upstream_defaults_follow_profile_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = params.settings(
        profile="smoke", seed=2, epochs=1, batch_size=8, out_dir="", notebook="05_fashion_transfer"
    )
    path = params.upstream_path("", "04_improved_autoencoder", run, "models/encoder.keras")
    assert path == params.Path("results/smoke/seed2/04_improved_autoencoder/models/encoder.keras")
    assert params.upstream_path("", "01_baseline_autoencoder", run) == params.Path(
        "results/smoke/seed2/01_baseline_autoencoder"
    )
    assert params.upstream_path("runs/seed2/04/models/e.keras", "04", run) == params.Path(
        "runs/seed2/04/models/e.keras"
    )


def test_provenance_records_parameters_and_settings(tmp_path):
    passed = {"profile": "smoke", "seed": 1, "epochs": 10, "filters": [64, 32, 16]}
    run = params.settings(
        profile="smoke",
        seed=1,
        epochs=10,
        batch_size=128,
        out_dir=tmp_path,
        notebook="04_improved_autoencoder",
        parameters=passed,
    )
    info = run.provenance()
    made_by = (info["notebook"], info["profile"], info["seed"])
    assert made_by == ("04_improved_autoencoder", "smoke", 1)
    assert info["parameters"] == passed
    assert info["settings"]["epochs"] == 1 and info["settings"]["train_size"] == 512
    assert info["aelib_version"]


def test_out_dir_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "a_file").write_text("x")
    bad = tmp_path / "a_file" / "results"
    with pytest.raises(ValueError) as info:
        params.settings(profile="smoke", seed=0, epochs=1, batch_size=8, out_dir=bad)
    message = str(info.value)
    assert "out_dir" in message and str(bad) in message and "Fix:" in message
    assert "file" in message


def test_unwritable_out_dir_is_a_clear_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(params.tempfile, "mkstemp", refuse)
    with pytest.raises(ValueError, match=r"out_dir .*Permission denied.*Fix: set out_dir"):
        params.settings(profile="smoke", seed=0, epochs=1, batch_size=8, out_dir=tmp_path / "o")


def test_paper_profile_is_full_without_the_analyses_beyond_the_paper(tmp_path):
    """`paper`: full data and the notebook's own epochs and batch size, like `full`, but the
    flag that the notebooks read to skip every analysis beyond the paper is off."""
    kwargs = {"seed": 0, "epochs": 10, "batch_size": 128}
    paper = params.settings(profile="paper", out_dir=tmp_path / "p", **kwargs)
    full = params.settings(profile="full", out_dir=tmp_path / "f", **kwargs)
    same = ("epochs", "batch_size", "train_size", "test_size", "tsne_points")
    assert [getattr(paper, k) for k in same] == [getattr(full, k) for k in same]
    sizes = (paper.epochs, paper.batch_size, paper.train_size, paper.test_size)
    assert sizes == (10, 128, None, None)
    assert paper.beyond_paper is False and full.beyond_paper is True
    assert params.settings(profile="smoke", out_dir=tmp_path / "s", **kwargs).beyond_paper
    assert paper.provenance()["settings"]["beyond_paper"] is False
    assert all("beyond_paper" in spec for spec in params.PROFILES.values())


def test_include_beyond_paper_prints_one_skip_line_in_the_paper_profile(tmp_path, capsys):
    paper = params.settings(profile="paper", seed=0, epochs=1, batch_size=8, out_dir=tmp_path)
    assert paper.include_beyond_paper() is False
    assert capsys.readouterr().out == "skipped: beyond the paper (profile 'paper')\n"
    assert paper.include_beyond_paper("the Dense(128) head") is False
    assert capsys.readouterr().out == (
        "skipped: beyond the paper (profile 'paper'): the Dense(128) head\n"
    )
    full = params.settings(profile="full", seed=0, epochs=1, batch_size=8, out_dir=tmp_path)
    assert full.include_beyond_paper("anything") is True
    assert capsys.readouterr().out == ""


def test_unknown_profile_lists_the_paper_profile(tmp_path):
    with pytest.raises(ValueError, match=r"\['full', 'paper', 'smoke'\]"):
        params.settings(profile="fast", seed=0, epochs=1, batch_size=8, out_dir=tmp_path)


def test_a_notebook_can_refuse_a_profile_with_the_reason():
    allowed = ("full", "smoke")
    assert params.check_profile("smoke", allowed=allowed) == "smoke"
    with pytest.raises(ValueError, match=r"'paper' does not run this notebook \(no VAE\).*full"):
        params.check_profile("paper", allowed=allowed, reason="no VAE")
    with pytest.raises(ValueError, match="unknown profile"):
        params.check_profile("fast", allowed=allowed)


def test_list_parameters_written_as_text_by_papermill_p():
    """`papermill -p latent_dims "[2, 8]"` and `-p latent_dims 2,8` pass strings."""
    assert params.check_int_list("latent_dims", "[2, 8]") == [2, 8]
    assert params.check_int_list("latent_dims", "2,8") == [2, 8]
    assert params.check_int_list("latent_dims", " 2, 8 ,") == [2, 8]
    assert params.as_list("latent2_variants", "plain") == ["plain"]
    assert params.as_list("latent2_variants", "plain,deep-bn") == ["plain", "deep-bn"]
    assert params.as_list("latent2_variants", '["plain"]') == ["plain"]
    assert params.as_list("latent2_variants", "") == []
    with pytest.raises(ValueError, match=r"latent_dims: '\[2, 8' is not a JSON list"):
        params.as_list("latent_dims", "[2, 8")
    with pytest.raises(ValueError, match=r"latent_dims\[0\] must be an integer >= 1, got 'two'"):
        params.check_int_list("latent_dims", "two")


def test_an_unusable_out_dir_is_one_error_without_a_chain(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="is not usable") as raised:
        params.check_out_dir(blocker / "sub")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_the_parameters_cell_is_the_one_declaration(tmp_path):
    """`declared` reads a notebook's parameters from the parameters cell's annotations, in
    order, with papermill's injected values; each checked against its type; `settings`
    takes the common ones from it."""
    from IPython.core.interactiveshell import InteractiveShell

    from aelib import params

    shell = InteractiveShell.instance()
    shell.run_cell(
        'profile: str = "full"  # help\nseed: int = 0\nepochs: int = 10\n'
        "batch_size: int = 128\nsizes: list[int] = [2, 16]\nrate: float = 0.5\n"
        'out_dir: str = ""\n'
    )
    shell.run_cell(f'profile = "smoke"\nsizes = "2,8"\nout_dir = {str(tmp_path / "o")!r}\n')
    namespace = shell.user_ns
    got = params.declared(namespace)
    assert list(got) == ["profile", "seed", "epochs", "batch_size", "sizes", "rate", "out_dir"]
    assert got["profile"] == "smoke" and got["sizes"] == "2,8"  # as passed, for the record
    run = params.settings(notebook="nb", parameters=got)
    assert run.profile == "smoke" and run.epochs == 1 and run.parameters == got
    for bad, message in (
        ("seed = True", "seed must be an integer"),
        ("rate = 'x'", "rate must be a number"),
        ("profile = 3", "profile must be text"),
    ):
        shell.run_cell(bad)
        with pytest.raises(ValueError, match=message):
            params.declared(namespace)
        shell.run_cell('seed = 0\nrate = 0.5\nprofile = "smoke"')
    with pytest.raises(ValueError, match="run the notebook's parameters cell first"):
        params.declared({})
