/* cs-secret-scrub.h: an API key removed from text that came from the
 * network, in every form a server may echo it
 *
 * A provider may quote the key it was sent in an error, or a model may
 * repeat it in its answer or reasoning. The forms recognised, each replaced
 * by CS_SCRUB_REDACTED:
 * - the key as is;
 * - percent-encoded, any of its bytes (sk%2D…, %73%6B%2d…), hex digits in
 *   either case;
 * - JSON-escaped, any of its characters (\u002d, \u0073…, \/), the
 *   backslash possibly doubled (JSON text inside a JSON string);
 * - any mix of these;
 * - base64 of the key, or of anything with the key inside ("user:key" of
 *   HTTP Basic authentication), whatever its alignment, in the standard and
 *   the URL-safe alphabets.
 * Keys shorter than 4 bytes are not searched for.
 *
 * A streamed text is scrubbed through a CsScrubStream: what might be the
 * beginning of the key at the end of a chunk is held back until the next
 * chunk (or the end) says, so a key split across chunks is caught too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_SCRUB_REDACTED "[redacted]"

typedef struct _CsScrubber CsScrubber;
typedef struct _CsScrubStream CsScrubStream;

/* Keeps a copy of @secret (wiped when freed). */
CsScrubber    *cs_scrubber_new          (const char       *secret);
void           cs_scrubber_free         (CsScrubber       *self);
/* @text (@len bytes, or -1) without the secret. NULL gives NULL. */
char          *cs_scrubber_scrub        (const CsScrubber *self,
                                         const char       *text,
                                         gssize            len);

/* cs_scrubber_scrub () in one call; a NULL @secret scrubs nothing. */
char          *cs_scrub_secret          (const char       *text,
                                         const char       *secret);

/* @scrubber must outlive the stream. */
CsScrubStream *cs_scrub_stream_new      (const CsScrubber *scrubber);
void           cs_scrub_stream_free     (CsScrubStream    *self);
/* The text that can be passed on now, scrubbed (possibly ""). */
char          *cs_scrub_stream_feed     (CsScrubStream    *self,
                                         const char       *chunk,
                                         gsize             len);
/* The rest, at the end of the stream; a key cut off at the very end is
 * redacted too once 8 of its bytes are there. */
char          *cs_scrub_stream_flush    (CsScrubStream    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsScrubber, cs_scrubber_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsScrubStream, cs_scrub_stream_free)

G_END_DECLS
