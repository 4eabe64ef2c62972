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
        ({"out_dir": ""}, "out_dir"),
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
