#!/usr/bin/python3
"""Writes the JPEG, WebP, BMP, GIF and 16-bit PNG fixtures of ImageDecoderTests into ./Fixtures.

Run with Debian's /usr/bin/python3 and python3-pil (apt-get install python3-pil). Pillow is an encoder independent of
Skia, which decodes these in QualityHub. Most images are the 32x16 "quadrants" picture below; ImageDecoderTests.cs
repeats its colours to know what each file must decode to. Change both together.
"""

import os

from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Fixtures")

# Quadrants of a 32x16 picture, each 16x8, so JPEG's 8x8 blocks never straddle two colours.
TOP_LEFT, TOP_RIGHT = (255, 0, 0), (0, 0, 255)
BOTTOM_LEFT, BOTTOM_RIGHT = (0, 255, 0), (255, 255, 255)
ORIENTATION = 0x0112


def quadrants():
    image = Image.new("RGB", (32, 16))
    for y in range(16):
        for x in range(32):
            image.putpixel((x, y), (TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT)[(y >= 8) * 2 + (x >= 16)])
    return image


def save(image, name, **options):
    image.save(os.path.join(HERE, name), **options)


def main():
    os.makedirs(HERE, exist_ok=True)
    picture = quadrants()
    save(picture, "quadrants.jpg", quality=95, subsampling=0)
    save(picture.convert("L"), "quadrants-gray.jpg", quality=95)
    # Pillow writes CMYK as Adobe's inverted CMYK, as Photoshop does; most CMYK JPEGs in the wild are of that kind.
    save(picture.convert("CMYK"), "quadrants-cmyk.jpg", quality=95)
    for orientation in (3, 6, 8):
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        save(picture, f"quadrants-exif{orientation}.jpg", quality=95, subsampling=0, exif=exif.tobytes())
    save(picture, "quadrants.webp", lossless=True)
    save(picture, "quadrants.bmp")

    # Two frames: all red, then all blue; a decoder must give the first.
    frames = [Image.new("RGB", (4, 4), (255, 0, 0)), Image.new("RGB", (4, 4), (0, 0, 255))]
    save(frames[0], "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # 16-bit gray: 0, 65535, 100·257 and 200·257 + 128 (just below the midpoint to 201), i.e. 0, 255, 100, 200 in 8 bits.
    gray16 = Image.new("I;16", (4, 1))
    gray16.putdata([0, 65535, 100 * 257, 200 * 257 + 128])
    save(gray16, "gray16-4x1.png")


if __name__ == "__main__":
    main()
