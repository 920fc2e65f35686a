/* fuzz-replay.c: runs saved fuzz inputs through a harness without libFuzzer
 *
 * Usage: fuzz-HARNESS-replay FILE-OR-DIRECTORY...
 * Every regular file named (or inside a named directory, not recursively) is
 * passed to LLVMFuzzerTestOneInput() once. A crash or a broken invariant
 * aborts; finding no input at all fails too, so that a missing corpus cannot
 * pass silently.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return FALSE;
    }

  /* An exact-size copy, so that AddressSanitizer sees a read past the end. */
  copy = g_malloc (MAX (len, 1));
  memcpy (copy, contents, len);
  LLVMFuzzerTestOneInput (copy, len);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  guint n_inputs = 0;
  int i;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  for (i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;
          guint j;

          if (dir == NULL)
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          /* A stable order makes a failure reproducible. */
          g_ptr_array_sort (names, compare_paths);
          for (j = 0; j < names->len; j++)
            {
              const char *path = g_ptr_array_index (names, j);

              if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
                continue;
              if (!replay_file (path))
                return 1;
              n_inputs++;
            }
        }
      else
        {
          if (!replay_file (argv[i]))
            return 1;
          n_inputs++;
        }
    }

  printf ("replayed %u inputs\n", n_inputs);
  return n_inputs > 0 ? 0 : 1;
}
