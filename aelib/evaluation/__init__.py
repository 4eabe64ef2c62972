"""Measurements of trained models: reconstruction metrics, reconstruction quality and
denoising, anomaly detection, label efficiency, generative quality and the classical
baselines they are compared with, attacks (PGD and FGSM, this library's and ART's) and the
robustness grids of notebook 08. One module per kind of question; import the module
(`from aelib.evaluation import attacks`): this file imports none of them."""
