"""Which lossless transfer syntax to serve a remote viewer: encode on the server, decode in Chromium.

For slices of the synthetic 512x512 head CT: each lossless syntax pydicom 3 can encode (JPEG-LS through pyjpegls,
RLE and JPEG 2000 through pylibjpeg's plugins) with its compression ratio and encode time per slice; then, in
Debian's headless Chromium, the decode time per slice with the WebAssembly codecs Cornerstone3D's image loader
ships in our bundle (CharLS, OpenJPEG, OpenJPH, and the loader's own JavaScript RLE decoder). HTJ2K has no
maintained Python encoder in pydicom's plugins; it is encoded in the page with OpenJPH's encoder for comparison.
The baseline is the uncompressed slice: its size, and copying its bytes in the page.

    .venv/bin/python bench/bench_codecs.py [--slices 10] [--repeats 20]

Never asserts timings.
"""

import argparse
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pydicom  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from pydicom.pixels import get_encoder  # noqa: E402
from pydicom.uid import JPEG2000Lossless, JPEGLSLossless, RLELossless  # noqa: E402

from synth.cohort import generate_cohort  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NODE_MODULES = ROOT / "frontend" / "node_modules" / "@cornerstonejs"
CODEC_FILES = {
    "codec-charls/dist": ["charlswasm_decode.js", "charlswasm_decode.wasm"],
    "codec-openjpeg/dist": ["openjpegwasm_decode.js", "openjpegwasm_decode.wasm"],
    "codec-openjph/dist": ["openjphjs.js", "openjphjs.wasm"],
    "dicom-image-loader/dist/esm/shared/decoders": ["decodeRLE.js"],
}
SYNTAXES = {"jls": (JPEGLSLossless, "pyjpegls"), "rle": (RLELossless, "pylibjpeg"),
            "j2k": (JPEG2000Lossless, "pylibjpeg")}

PAGE = """<!doctype html><script src="charlswasm_decode.js"></script><script src="openjpegwasm_decode.js"></script>
<script src="openjphjs.js"></script><script type="module">
import decodeRLE from './decodeRLE.js';
const get = async (name) => new Uint8Array(await (await fetch(name)).arrayBuffer());
const locate = (file) => file;
function time(fn, repeats) {
  const runs = [];
  for (let i = 0; i < repeats; i += 1) { const t0 = performance.now(); fn(); runs.push(performance.now() - t0); }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}
async function timeAsync(fn, repeats) {
  const runs = [];
  for (let i = 0; i < repeats; i += 1) { const t0 = performance.now(); await fn(); runs.push(performance.now() - t0); }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
window.run = async ({ slices, repeats, rows, columns }) => {
  const charls = await CharLSWASM({ locateFile: locate });
  const openjpeg = await OpenJPEGWASM({ locateFile: locate });
  const openjph = await Module({ locateFile: locate }); // OpenJPH's build names its factory Module
  const wasm = (codec, Decoder) => (bytes) => {
    const d = new codec[Decoder]();
    d.getEncodedBuffer(bytes.length).set(bytes);
    d.decode();
    const out = d.getDecodedBuffer().slice();
    d.delete();
    return out;
  };
  const decoders = { jls: wasm(charls, 'JpegLSDecoder'), j2k: wasm(openjpeg, 'J2KDecoder'), htj2k: wasm(openjph, 'HTJ2KDecoder') };
  const result = { copy: [], jls: [], j2k: [], htj2k: [], rle: [], htj2k_bytes: [], identical: {} };
  for (let s = 0; s < slices; s += 1) {
    const raw = await get(`raw${s}`);
    result.copy.push(time(() => raw.slice(), repeats));
    for (const name of ['jls', 'j2k']) {
      const bytes = await get(`${name}${s}`);
      result[name].push(time(() => decoders[name](bytes), repeats));
      result.identical[name] = (result.identical[name] ?? true) && same(decoders[name](bytes), raw);
    }
    const frame = { rows, columns, bitsAllocated: 16, samplesPerPixel: 1, planarConfiguration: 0, pixelRepresentation: 1 };
    const rle = await get(`rle${s}`);
    result.rle.push(await timeAsync(() => decodeRLE({ ...frame }, rle), repeats));
    const rleOut = await decodeRLE({ ...frame }, rle);
    result.identical.rle = (result.identical.rle ?? true)
      && same(new Uint8Array(rleOut.pixelData.buffer, rleOut.pixelData.byteOffset, rleOut.pixelData.byteLength), raw);
    const encoder = new openjph.HTJ2KEncoder();
    encoder.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1, isSigned: true,
      isUsingColorTransform: false }).set(raw);
    encoder.setQuality(true, 0);
    encoder.encode();
    const ht = encoder.getEncodedBuffer().slice();
    encoder.delete();
    result.htj2k_bytes.push(ht.length);
    result.htj2k.push(time(() => decoders.htj2k(ht), repeats));
    result.identical.htj2k = (result.identical.htj2k ?? true) && same(decoders.htj2k(ht), raw);
  }
  return result;
};
window.ready = true;
</script>"""


def encode_slices(files: list[Path], folder: Path) -> dict:
    """Writes raw<n> and <syntax><n> frame files; returns sizes and encode times per syntax."""
    stats = {"raw": [], **{name: {"bytes": [], "ms": []} for name in SYNTAXES}}
    for n, path in enumerate(files):
        ds = pydicom.dcmread(path)
        raw = ds.PixelData
        (folder / f"raw{n}").write_bytes(raw)
        stats["raw"].append(len(raw))
        for name, (uid, plugin) in SYNTAXES.items():
            t0 = time.perf_counter()
            frame = get_encoder(uid).encode(ds, encoding_plugin=plugin)
            stats[name]["ms"].append((time.perf_counter() - t0) * 1000)
            stats[name]["bytes"].append(len(frame))
            (folder / f"{name}{n}").write_bytes(frame)
    return stats


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript"}

    def log_message(self, *args):
        pass


def serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=10, help="slices of the 40-slice series to measure")
    parser.add_argument("--repeats", type=int, default=20, help="decodes per slice (the median is kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-codecs-") as tmp:
        tmp = Path(tmp)
        generate_cohort(tmp / "cohort", studies=1, seed=11, size=512, slices=40, broken_fraction=0.0,
                        enrich={"subdural_hemorrhage": 1.0})
        axial = sorted(next((tmp / "cohort" / "dicom").iterdir()).glob("*axial*/*.dcm"))
        middle = len(axial) // 2 - args.slices // 2
        files = axial[middle : middle + args.slices]
        site = tmp / "site"
        site.mkdir()
        for folder, names in CODEC_FILES.items():
            for name in names:
                shutil.copy(NODE_MODULES / folder / name, site / name)
        (site / "index.html").write_text(PAGE)
        stats = encode_slices(files, site)
        server = serve(site)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.on("requestfailed", lambda r: print("request failed:", r.url, r.failure, file=sys.stderr))
            page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
            page.wait_for_function("window.ready")
            decode = page.evaluate("(a) => window.run(a)", {"slices": len(files), "repeats": args.repeats,
                                                            "rows": 512, "columns": 512})
            version = browser.version
            browser.close()
        server.shutdown()
    raw = statistics.mean(stats["raw"])
    print(f"{len(files)} slices of the synthetic 512x512 head CT (signed 16-bit), {raw / 1e3:.0f} kB each "
          f"uncompressed; decode: median of {args.repeats} per slice, then the median over slices; Chromium {version}")
    print(f"{'syntax':28} {'ratio':>7} {'kB/slice':>9} {'encode ms':>10} {'decode ms':>10} {'lossless':>9}  encoder")
    names = {"jls": "JPEG-LS lossless (.4.80)", "rle": "RLE lossless (.1.2.5)", "j2k": "JPEG 2000 lossless (.4.90)"}
    for name, label in names.items():
        size = statistics.mean(stats[name]["bytes"])
        print(f"{label:28} {raw / size:7.2f} {size / 1e3:9.0f} {statistics.median(stats[name]['ms']):10.1f} "
              f"{statistics.median(decode[name]):10.2f} {str(decode['identical'][name]):>9}  "
              f"{SYNTAXES[name][1]}")
    ht = statistics.mean(decode["htj2k_bytes"])
    print(f"{'HTJ2K lossless (.4.201)':28} {raw / ht:7.2f} {ht / 1e3:9.0f} {'-':>10} "
          f"{statistics.median(decode['htj2k']):10.2f} {str(decode['identical']['htj2k']):>9}  "
          "none in pydicom's plugins (OpenJPH in the page, for comparison)")
    print(f"{'baseline: uncompressed':28} {1:7.2f} {raw / 1e3:9.0f} {'-':>10} {statistics.median(decode['copy']):10.2f}"
          f" {'-':>9}  (a copy of the bytes in the page)")
    print(json.dumps({"decode_ms": {k: statistics.median(v) for k, v in decode.items()
                                    if k in ("jls", "j2k", "htj2k", "rle", "copy")}}))


if __name__ == "__main__":
    main()
