"""Measurements of trained models: reconstruction metrics, reconstruction quality and
denoising, anomaly detection, label efficiency, generative quality and the classical
baselines they are compared with. One module per kind of question."""
