"""Keras 3's image preprocessing layers: resizing and cropping, random augmentation in training.

Submodules by concern: `image_ops` (the maths), `base` (the Keras protocol and the seed stream),
`geometry` (Resizing, CenterCrop, RandomCrop, RandomFlip), `affine` (RandomRotation, RandomZoom,
RandomTranslation, RandomShear), `color` (contrast, brightness, grayscale, hue, saturation, colour
degeneration), `tone` (invert, posterization, solarization, auto-contrast, sharpness), `effects` (erasing,
Gaussian blur), `layer_backend` (Keras's `DataLayer.backend` namespaces).
"""

from kerasish.layers.image_preprocessing.affine import RandomRotation, RandomShear, RandomTranslation, RandomZoom
from kerasish.layers.image_preprocessing.base import BaseImagePreprocessingLayer
from kerasish.layers.image_preprocessing.color import (
    RandomBrightness,
    RandomColorDegeneration,
    RandomContrast,
    RandomGrayscale,
    RandomHue,
    RandomSaturation,
)
from kerasish.layers.image_preprocessing.effects import RandomErasing, RandomGaussianBlur
from kerasish.layers.image_preprocessing.geometry import CenterCrop, RandomCrop, RandomFlip, Resizing
from kerasish.layers.image_preprocessing.tone import (
    AutoContrast,
    RandomInvert,
    RandomPosterization,
    RandomSharpness,
    Solarization,
)

__all__ = [
    "AutoContrast", "BaseImagePreprocessingLayer", "CenterCrop", "RandomBrightness", "RandomColorDegeneration",
    "RandomContrast", "RandomCrop", "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale",
    "RandomHue", "RandomInvert", "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness",
    "RandomShear", "RandomTranslation", "RandomZoom", "Resizing", "Solarization",
]
