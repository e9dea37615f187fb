"""Keras 3's categorical and text preprocessing layers.

Submodules by concern: `encoding` (CategoryEncoding and the shared one-hot / multi-hot / count encodings),
`hashes` (TensorFlow's FarmHash / SipHash string hashes in Python), `hashing` (Hashing, HashedCrossing),
`discretization`, `index_lookup` (the vocabulary machinery), `lookups` (StringLookup, IntegerLookup),
`text_vectorization`, and `host` (inputs, `adapt`'s data, host callbacks).
"""

from kerasish.layers.feature_preprocessing.discretization import Discretization
from kerasish.layers.feature_preprocessing.encoding import CategoryEncoding
from kerasish.layers.feature_preprocessing.hashing import HashedCrossing, Hashing
from kerasish.layers.feature_preprocessing.index_lookup import IndexLookup
from kerasish.layers.feature_preprocessing.lookups import IntegerLookup, StringLookup
from kerasish.layers.feature_preprocessing.text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "Discretization", "HashedCrossing", "Hashing", "IndexLookup", "IntegerLookup",
           "StringLookup", "TextVectorization"]
