# apps: every folder apps/NAME/ is an application, a library of its own
# named NAME, found here without a list to keep:
#  - its C files, in any subfolder but root/ (where an app keeps the files
#    of its initrd, which may well be C text), are its sources;
#  - apps/NAME/build.mk, if there, adds what it needs (flags, an order on
#    a dependency, sources from elsewhere: NAME_SRCS += ...), knowing
#    NAME_SRCS;
#  - apps/NAME/NAME.api, if there, says what other compartments may enter;
#    without it the app has the entry every app has (DEFAULT_APP_API in
#    scripts/bulkhead_config.py).
# A folder with neither a C file nor a build.mk is no app (yet); one with
# only a build.mk builds sources it fetches (apps/sqlite3/). A new program
# is apps/NAME/main.c and a configuration with app = "NAME".
app_srcs	= $(shell find apps/$(1) -mindepth 1 \( -name '.*' -o -path apps/$(1)/root \) \
		    -prune -o -type f -name '*.c' -print | LC_ALL=C sort)
APP_NAMES	:= $(strip $(foreach a,$(patsubst apps/%/,%,$(sort $(wildcard apps/*/))),\
		     $(if $(or $(call app_srcs,$(a)),$(wildcard apps/$(a)/build.mk)),$(a))))
$(foreach a,$(APP_NAMES),$(eval LIBS += $(a))$(eval $(a)_SRCS := $(call app_srcs,$(a))))
APPS		+= $(APP_NAMES)
include $(wildcard apps/*/build.mk)
