import Foundation

/// An SVG drawn by a real renderer: librsvg's `rsvg-convert` (Debian's librsvg2-bin, installed by
/// `make deps`) writes a PNG, and Python's zlib decodes its pixels, so tests check what a person
/// would see rather than the SVG's text.
public struct RenderedImage: Sendable {
    public var width: Int
    public var height: Int
    /// Per colour asked about: how many pixels are within the tolerance of it, and their bounding
    /// box (minX, minY, maxX, maxY), nil when there are none.
    public var colors: [String: (count: Int, box: (Int, Int, Int, Int)?)]
}

/// Renders `svgPath` to a PNG beside it and counts the pixels near each `#rrggbb` colour
/// (each channel within `tolerance`).
public func render(_ svgPath: String, counting colors: [String], tolerance: Int = 24) throws -> RenderedImage {
    let png = svgPath + ".png"
    let r = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["rsvg-convert", "-o", png, svgPath])
    guard r.status == 0 else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "rsvg-convert failed on \(svgPath): \(r.stderr)"])
    }
    let list = colors.map { "'\($0)'" }.joined(separator: ",")
    let out = try python(
        """
        import zlib, struct, json
        import numpy as np
        data = open('\(png)', 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
        pos, idat = 8, b''
        while pos < len(data):
            n, = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]
            pos += 12 + n
            if kind == b'IHDR': w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            elif kind == b'IDAT': idat += body
        assert depth == 8 and interlace == 0 and ctype in (2, 6), (depth, ctype, interlace)
        bpp = 4 if ctype == 6 else 3
        stride = w * bpp
        raw = zlib.decompress(idat)
        img = np.zeros((h, stride), dtype=np.int64)
        prev = np.zeros(stride, dtype=np.int64)
        for y in range(h):
            f = raw[y * (stride + 1)]
            line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int64)
            if f == 0: cur = line
            elif f == 1: cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(stride) & 255
            elif f == 2: cur = (line + prev) & 255
            else:
                cur = [0] * stride; p = prev.tolist(); l = line.tolist()
                for x in range(stride):
                    a = cur[x - bpp] if x >= bpp else 0; b = p[x]; c = p[x - bpp] if x >= bpp else 0
                    if f == 3: v = (a + b) // 2
                    else:
                        pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                        v = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    cur[x] = (l[x] + v) & 255
                cur = np.array(cur, dtype=np.int64)
            img[y] = cur; prev = cur
        px = img.reshape(h, w, bpp)
        rgb = px[:, :, :3]
        if bpp == 4:  # composite on white, as a viewer shows it
            alpha = px[:, :, 3:4]
            rgb = (rgb * alpha + 255 * (255 - alpha)) // 255
        result = {}
        for c in [\(list)]:
            target = np.array([int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)])
            mask = (np.abs(rgb - target) <= \(tolerance)).all(axis=2)
            ys, xs = np.nonzero(mask)
            result[c] = [int(mask.sum())] + ([int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())] if len(xs) else [])
        print(json.dumps({'w': w, 'h': h, 'colors': result}))
        """)
    let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    var found: [String: (count: Int, box: (Int, Int, Int, Int)?)] = [:]
    for (c, v) in doc["colors"] as! [String: [Int]] {
        found[c] = (v[0], v.count == 5 ? (v[1], v[2], v[3], v[4]) : nil)
    }
    return RenderedImage(width: doc["w"] as! Int, height: doc["h"] as! Int, colors: found)
}

/// `#rrggbb` drawn at `opacity` over white.
public func blendedOnWhite(_ color: String, opacity: Double) -> String {
    let v = [1, 3, 5].map { Int(color.dropFirst($0).prefix(2), radix: 16)! }
    return "#" + v.map { String(format: "%02x", Int((Double($0) * opacity + 255 * (1 - opacity)).rounded())) }.joined()
}
