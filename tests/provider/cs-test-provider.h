/* cs-test-provider.h
 *
 * An OpenAI-compatible (and Ollama-compatible) test provider on loopback,
 * answering with synthetic, schema-valid candidates. Used in-process by the
 * test suites and standalone (consilium-test-provider) by the integration
 * tests and by newcomers who want to try Consilium without an API key.
 *
 * Behaviour is scripted by the model name: `+`-separated tokens after the
 * base name, e.g. "demo-alpha+slow+crlf". See cs-test-provider.c (or
 * `consilium-test-provider --help`) for the list of tokens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CS_TYPE_TEST_PROVIDER (cs_test_provider_get_type ())

G_DECLARE_FINAL_TYPE (CsTestProvider, cs_test_provider, CS, TEST_PROVIDER, GObject)

CsTestProvider *cs_test_provider_new                (void);
gboolean        cs_test_provider_start              (CsTestProvider  *self,
                                                     guint            port,
                                                     GError         **error);
guint           cs_test_provider_get_port           (CsTestProvider  *self);
char           *cs_test_provider_dup_base_url       (CsTestProvider  *self);
char           *cs_test_provider_dup_root_url       (CsTestProvider  *self);
void            cs_test_provider_set_required_key   (CsTestProvider  *self,
                                                     const char      *key);
void            cs_test_provider_set_delay_ms       (CsTestProvider  *self,
                                                     guint            delay_ms);
guint           cs_test_provider_get_delay_ms       (CsTestProvider  *self);
guint           cs_test_provider_get_request_count  (CsTestProvider  *self,
                                                     const char      *model);
GPtrArray      *cs_test_provider_get_requests       (CsTestProvider  *self);
void            cs_test_provider_reset              (CsTestProvider  *self);
gboolean        cs_test_provider_record_to          (CsTestProvider  *self,
                                                     const char      *path,
                                                     GError         **error);

/* The fault tokens, one per line ("token  description"), for --help. */
const char     *cs_test_provider_get_fault_help     (void);

/* The demo model names served by GET /v1/models (NULL-terminated). */
const char * const *cs_test_provider_get_demo_models (void);

/* A ready providers.ini text for a provider listening on @port. */
char           *cs_test_provider_build_config       (guint            port);

G_END_DECLS
