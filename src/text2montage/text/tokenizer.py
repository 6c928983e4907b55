"""The caption tokenizer: trained on the prepared captions with Hugging Face `tokenizers`, or any
Hugging Face tokenizer by name or local path (e.g. klue/roberta-large for the KoDALLE route).

Both come back as a transformers `PreTrainedTokenizerFast`, so the rest of the code has one interface.
The trained one is byte-level BPE: every string, including Hangul syllables never seen in training,
encodes and decodes back exactly (after NFC and whitespace clean-up).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerBase, PreTrainedTokenizerFast

from text2montage.errors import ModelLoadError

PAD, BOS, EOS, UNK = "[PAD]", "[BOS]", "[EOS]", "[UNK]"
SPECIAL_TOKENS = [PAD, BOS, EOS, UNK]
DEFAULT_VOCAB_SIZE = 8000


class TokenizerNotFoundError(ModelLoadError):
    """Neither a local tokenizer folder nor a cached Hugging Face Hub tokenizer of that name."""


def _byte_level_bpe() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(unk_token=UNK))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Strip()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def train_text_tokenizer(
    texts: Iterable[str], vocab_size: int = DEFAULT_VOCAB_SIZE
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE tokenizer on captions; save it with `.save_pretrained(dir)`."""
    tokenizer = _byte_level_bpe()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token=PAD,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
    )


def load_text_tokenizer(name_or_path: str | Path) -> PreTrainedTokenizerBase:
    """A tokenizer from a local folder, or from the local Hugging Face cache by Hub name.

    Never downloads: a Hub name that is not cached fails with a message saying how to get it.
    """
    path = Path(name_or_path)
    if path.exists():
        if not path.is_dir():
            raise TokenizerNotFoundError(f"{path} is a file; give the folder that holds tokenizer.json")
        try:
            return AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as err:
            raise TokenizerNotFoundError(f"{path} does not hold a readable tokenizer: {err}") from err
    try:
        return AutoTokenizer.from_pretrained(str(name_or_path), local_files_only=True)
    except (OSError, ValueError) as err:
        raise TokenizerNotFoundError(
            f"tokenizer {str(name_or_path)!r} is neither a local folder nor in the Hugging Face cache; "
            "this program never downloads at run time: fetch it once where you have network "
            f"(`huggingface-cli download {name_or_path}`) or pass a local path"
        ) from err
