select "t0"."user_id" from "shop"."users" as "t0" where (cast("t0"."birthday" as timestamp) < cast(? as timestamp) and cast("t0"."birthday" as timestamp) is not null)
