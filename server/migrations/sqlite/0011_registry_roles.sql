-- Roles per registry: `role` stays the role in every registry ('none' when
-- the user has roles in some registries only); `registry_roles` holds those
-- as a JSON object, registry id to role ({"local": "viewer"}).
ALTER TABLE users ADD COLUMN registry_roles TEXT;
