/* cs-config-file.h: the providers file the application owns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_CONFIG_FILE (cs_config_file_get_type ())

G_DECLARE_FINAL_TYPE (CsConfigFile, cs_config_file, CS, CONFIG_FILE, GObject)

#define CS_CONFIG_FILE_ERROR (cs_config_file_error_quark ())

typedef enum {
  CS_CONFIG_FILE_ERROR_UNREADABLE,   /* the file is there but cannot be read */
} CsConfigFileError;

GQuark        cs_config_file_error_quark (void);

typedef void (*CsConfigEditFunc) (CsConfig *config,
                                  gpointer  user_data);

CsConfigFile *cs_config_file_new        (const char       *path);
const char   *cs_config_file_get_path   (CsConfigFile     *self);
/* The configuration: never NULL (empty when the file is missing or could
 * not be read). A run keeps the one it started with: an edit replaces it. */
CsConfig     *cs_config_file_get_config (CsConfigFile     *self);
/* Why the file could not be read when it was last read, or NULL. */
const char   *cs_config_file_get_error  (CsConfigFile     *self);

/* Reads the file (at startup); an empty configuration when it is missing
 * or cannot be read. Emits ::changed. */
void          cs_config_file_load       (CsConfigFile     *self);
/* Reads the file again if it changed on disk since it was last read or
 * written (edited by hand). FALSE (CS_CONFIG_FILE_ERROR_UNREADABLE, the
 * reason as the message) when it is there and cannot be read: the
 * configuration then stays as it was, and it must not be written. */
gboolean      cs_config_file_check      (CsConfigFile     *self,
                                         GError          **error);
/* Changes the configuration: @edit gets a copy of it (made on the file as
 * it is, so comments and unknown keys stay), which replaces it. Emits
 * ::changed. The file is written by cs_config_file_save(). */
void          cs_config_file_edit       (CsConfigFile     *self,
                                         CsConfigEditFunc  edit,
                                         gpointer          user_data);
/* Writes the configuration to the file; never replaces a file that cannot
 * be read (CS_CONFIG_FILE_ERROR_UNREADABLE). Emits ::changed. */
gboolean      cs_config_file_save       (CsConfigFile     *self,
                                         GError          **error);

G_END_DECLS
