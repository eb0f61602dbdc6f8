select "t0"."user_id" from "shop"."users" as "t0" where ("t0"."birthday" < cast(? as date) and "t0"."birthday" is not null)
