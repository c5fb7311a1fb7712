"""Where a catalog rule comes from: a gateway document, the upstream vendor, or an inference.

Every rule object in the catalog carries one :class:`Src`. The three kinds, in order of
precedence (DESIGN.md "Precedence where the documents are silent"):

``document``  a gateway document in ``../shared/gateway-docs/`` says it: ``ref`` is the file name
              (the registry's), ``quote`` words that occur in it (a test checks every quote);
``upstream``  the model's own vendor documents it: ``ref`` says where (a URL, or
              ``owner/repo path``), ``quote`` the vendor's words;
``inferred``  nobody states it: ``ref`` says from what, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.registry import GATEWAYS, gateway_spec

SrcKind = Literal["document", "upstream", "inferred"]

#: Gateway id of each document file (from the gateway registry, ``contracts/registry.py``).
DOCUMENTS: dict[str, str] = {g.document: g.id for g in GATEWAYS}


@dataclass(frozen=True)
class Src:
    """The provenance of one rule: ``kind``, ``ref`` (document file, vendor location, or the
    reason of an inference) and ``quote`` (words of the document or vendor; empty for inferences)."""

    kind: SrcKind
    ref: str
    quote: str = ""

    @property
    def label(self) -> str:
        """A short label for tables: ``doc 004``, ``upstream`` or ``inferred``."""
        if self.kind == "document":
            return f"doc {self.ref[:3]}"
        return self.kind

    def as_dict(self) -> dict[str, str]:
        """``{"kind", "ref"[, "quote"]}`` for JSON output."""
        out = {"kind": self.kind, "ref": self.ref}
        if self.quote:
            out["quote"] = self.quote
        return out


def doc(gateway: str, quote: str) -> Src:
    """A rule the document of ``gateway`` (a registry id) states; ``quote`` must occur in that
    document (a test checks it). ``ref`` is the document's file name.

    Raises:
        ValueError: for an unknown gateway id or an empty quote.
    """
    try:
        file = gateway_spec(gateway).document
    except KeyError as exc:
        raise ValueError(str(exc)) from None
    if not quote.strip():
        raise ValueError("a document rule needs a quote")
    return Src("document", file, quote)


def upstream(ref: str, quote: str) -> Src:
    """A rule the upstream vendor documents at ``ref``, in the words ``quote``."""
    return Src("upstream", ref, quote)


def inferred(why: str) -> Src:
    """A rule nobody states; ``why`` says what it is inferred from."""
    return Src("inferred", why)


# -- the upstream references every entry cites -------------------------------------------------

#: openai-python, generated from OpenAI's OpenAPI spec (snapshot e43b4224, 2026-08-21).
OPENAI_GENERATE = "openai/openai-python src/openai/types/image_generate_params.py"
OPENAI_EDIT = "openai/openai-python src/openai/types/image_edit_params.py"
OPENAI_SPEC = "openai/openai-openapi openapi.yaml (CreateImageRequest, CreateImageEditRequest)"
OPENAI_GUIDE = "https://developers.openai.com/api/docs/guides/image-generation"
#: BytePlus ModelArk "Image generation API" (international ids: seedream-4-0-250828 ...).
ARK_BYTEPLUS = "https://docs.byteplus.com/en/docs/ModelArk/1541523"
#: Volcengine Ark "图片生成 API" (China ids: doubao-seedream-4-0-250828 ...).
ARK_CN = "https://www.volcengine.com/docs/82379/1541523"
GEMINI_25_FLASH = "https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/2-5-flash-image"
GEMINI_3_PRO = "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-pro-image"
GEMINI_31_FLASH = "https://cloud.google.com/gemini-enterprise-agent-platform/models/gemini/3-1-flash-image-preview"
GEMINI_SDK = "googleapis/python-genai google/genai/types.py (ImageConfig.image_size)"
GEMINI_TOKENS = "https://ai.google.dev/gemini-api/docs/tokens"
QWEN_T2I = "https://help.aliyun.com/zh/model-studio/qwen-image-api"
QWEN_EDIT = "https://help.aliyun.com/zh/model-studio/qwen-image-edit-api"
WAN_T2I = "https://help.aliyun.com/zh/model-studio/text-to-image-v2-api-reference"
WAN_27 = "https://www.alibabacloud.com/help/en/model-studio/wan-image-generation-and-editing-api-reference"
